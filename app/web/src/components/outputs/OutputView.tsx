import { memo } from 'react';
import { TABLE_MIME, type Output } from '../../api/types';
import { HtmlOutput } from './HtmlOutput';
import { ImageOutput } from './ImageOutput';
import { JsonOutput } from './JsonOutput';
import { asTable, TableOutput } from './TableOutput';
import { TextOutput } from './TextOutput';

/** Picks the renderer for one output by its mime type; unknown types fall back to their JSON. */
export const OutputView = memo(function OutputView({ output }: { output: Output }) {
  const { mime_type: mime, data } = output;
  switch (mime) {
    case 'text/plain':
      return <TextOutput text={typeof data === 'string' ? data : JSON.stringify(data)} />;
    case 'text/html':
      return <HtmlOutput html={typeof data === 'string' ? data : String(data)} />;
    case 'image/png':
    case 'image/svg+xml':
      return <ImageOutput mime={mime} data={typeof data === 'string' ? data : ''} />;
    case 'application/json':
      return <JsonOutput value={parseMaybe(data)} />;
    case TABLE_MIME: {
      const table = asTable(data);
      if (table) return <TableOutput table={table} />;
      return <JsonOutput value={data} label="Malformed table output" />;
    }
    default:
      return (
        <div className="output output--other">
          <p className="output__note">
            Output of type <code>{mime}</code> shown as data (this client has no renderer for it).
          </p>
          <JsonOutput value={parseMaybe(data)} label={`${mime} output`} />
        </div>
      );
  }
});

function parseMaybe(data: Output['data']): Output['data'] {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data) as Output['data'];
  } catch {
    return data;
  }
}
