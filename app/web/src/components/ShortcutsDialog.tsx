import { CELL_KEYS, doublePressLabel, keyLabel, MOD_LABEL, NOTEBOOK_KEYS } from './keys';
import { Modal } from './Modal';


export const SHORTCUTS: Array<[string, string]> = [
  [keyLabel(CELL_KEYS.runAndAdvance), 'Run the cell and go to the next one (adds one of the same language at the end)'],
  [keyLabel(CELL_KEYS.run), 'Run the cell and stay'],
  [keyLabel(CELL_KEYS.runAndInsert), 'Run the cell and insert a cell below'],
  [keyLabel(CELL_KEYS.addAbove), 'Add a cell above'],
  [keyLabel(CELL_KEYS.addBelow), 'Add a cell below'],
  [`${keyLabel(CELL_KEYS.moveUp)} / ↓`, 'Move the cell up / down'],
  [keyLabel(CELL_KEYS.deleteCell), 'Delete the cell'],
  [`${MOD_LABEL}+Z or Z, outside an editor`, 'Bring back the last deleted cell (and re-run it)'],
  [keyLabel(CELL_KEYS.toggleType), 'Switch the cell to the next language'],
  [keyLabel(CELL_KEYS.interrupt), 'Interrupt the running cell'],
  ['↑ / ↓ on the first / last line', 'Go to the previous / next cell'],
  ['Tab / Shift+Tab', 'Indent / dedent in the editor'],
  ['Escape, then Tab', 'Leave the editor and move focus on'],
  [`${MOD_LABEL}+S`, 'Save every unsaved cell now (edits also save by themselves)'],
  [doublePressLabel(NOTEBOOK_KEYS.runAll), 'Run all cells (outside an editor)'],
  [doublePressLabel(NOTEBOOK_KEYS.restart), 'Restart the kernel, after a confirmation (outside an editor)'],
  [doublePressLabel(NOTEBOOK_KEYS.clearOutputs), 'Clear every output (outside an editor)'],
  ['?', 'This help (outside an editor)'],
];

export function ShortcutsDialog({ onClose }: { onClose(): void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} className="modal--wide">
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <th scope="row"><kbd>{keys}</kbd></th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
