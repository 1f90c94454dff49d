import type { JsonValue, WidgetData } from '../../api/types';
import { useWidget, WidgetFrame } from './widget-channel';

/** A click counter: each click sends the count plus one. */
export function ButtonWidget({ model }: { model: WidgetData }) {
  const state = useWidget(model);
  const clicks = typeof state.value === 'number' ? state.value : 0;
  const label = typeof model.props.label === 'string' && model.props.label !== '' ? model.props.label : 'Click';
  return (
    <WidgetFrame model={model} state={state} labelFor={false}>
      <button type="button" className="btn widget__button" disabled={state.disabled} onClick={() => state.set(clicks + 1)}>
        {label}
      </button>
    </WidgetFrame>
  );
}

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error(`${file.name} could not be read.`));
    reader.readAsDataURL(file);
  });
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
}

/** Uploads: checked against the widget's max_size here first, so an oversized file is refused before it is read. */
export function FileWidget({ model }: { model: WidgetData }) {
  const state = useWidget(model);
  const maxSize = typeof model.props.max_size === 'number' ? model.props.max_size : Infinity;
  const files = Array.isArray(state.value) ? (state.value as { name?: JsonValue; size?: JsonValue }[]) : [];
  return (
    <WidgetFrame model={model} state={state}>
      <input
        id={state.inputId}
        type="file"
        className="widget__file"
        accept={typeof model.props.accept === 'string' ? model.props.accept : undefined}
        multiple={model.props.multiple === true}
        disabled={state.disabled}
        aria-label={typeof model.props.label === 'string' && model.props.label !== '' ? undefined : 'Upload a file'}
        onChange={(event) => {
          const chosen = [...(event.currentTarget.files ?? [])];
          const tooBig = chosen.find((file) => file.size > maxSize);
          if (tooBig) {
            state.setError(`${tooBig.name} is ${sizeText(tooBig.size)}; this upload takes at most ${sizeText(maxSize)}.`);
            return;
          }
          void Promise.all(chosen.map(async (file) => ({ name: file.name, type: file.type, size: file.size, data: await readBase64(file) }))).then(
            (value) => state.set(value),
            (error: unknown) => state.setError(error instanceof Error ? error.message : String(error)),
          );
        }}
      />
      {files.length > 0 ? (
        <ul className="widget__files">
          {files.map((file, index) => (
            <li key={index}>
              {String(file.name)} ({sizeText(Number(file.size) || 0)})
            </li>
          ))}
        </ul>
      ) : null}
    </WidgetFrame>
  );
}
