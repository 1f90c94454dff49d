import { shortcutRows } from './actions';
import { Modal } from './Modal';

/** The shortcuts sheet: generated from the action table, as the command palette is. */
export function ShortcutsDialog({ onClose }: { onClose(): void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} className="modal--wide">
      <table className="shortcuts">
        <tbody>
          {shortcutRows().map((row) => (
            <tr key={row.id} data-action={row.id}>
              <th scope="row"><kbd>{row.keys}</kbd></th>
              <td>{row.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
