import { useMemo } from 'react';
import { stripAnsi } from './text';

export interface ParsedError {
  /** The last line: `NameError: name 'z' is not defined`. */
  summary: string;
  /** Frames from the user's cells. */
  frames: string[];
  /** Frames from the runtime's own files (Pyodide's `_pyodide/_base.py`…), hidden by default. */
  internal: number;
  /** Whether the text looked like a Python traceback at all. */
  isTraceback: boolean;
  text: string;
}

const INTERNAL_FRAME = /File "(\/lib\/python|<frozen |\/usr\/lib\/python|.*site-packages|.*_pyodide)/;

/** Splits a Python traceback into the user's frames and the runtime's own, and its final message. */
export function parseError(raw: string): ParsedError {
  const text = stripAnsi(raw).replace(/\s+$/, '');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Traceback (most recent call last)'));
  if (start < 0) return { summary: text, frames: [], internal: 0, isTraceback: false, text };
  const frames: string[] = [];
  let internal = 0;
  let i = start + 1;
  let summaryStart = lines.length;
  while (i < lines.length) {
    const line = lines[i]!;
    if (/^\s+File "/.test(line)) {
      const body: string[] = [line];
      i++;
      while (i < lines.length && /^\s{3,}/.test(lines[i]!) && !/^\s+File "/.test(lines[i]!)) body.push(lines[i++]!);
      if (INTERNAL_FRAME.test(line)) internal++;
      else frames.push(body.join('\n'));
      continue;
    }
    if (!/^\s/.test(line)) {
      summaryStart = i;
      break;
    }
    i++;
  }
  const summary = lines.slice(summaryStart).join('\n').trim() || text;
  return { summary, frames, internal, isTraceback: true, text };
}

/**
 * The kernel names cells by id in tracebacks (`File "<cell 5b2e…>"`): show a position instead,
 * or "this cell".
 */
export function nameCells(text: string, selfId?: string, positionOf?: (cellId: string) => number): string {
  return text.replace(/<cell ([0-9A-Za-z_-]+)>/g, (whole, id: string) => {
    if (id === selfId) return '<this cell>';
    const position = positionOf?.(id) ?? -1;
    return position >= 0 ? `<cell ${position + 1}>` : whole;
  });
}

export function ErrorOutput({ error, cellId, positionOf }: { error: string; cellId?: string; positionOf?: (cellId: string) => number }) {
  const parsed = useMemo(() => parseError(nameCells(error, cellId, positionOf)), [error, cellId, positionOf]);
  return (
    <div className="output output--error" role="alert">
      <p className="error__summary">{parsed.summary}</p>
      {parsed.isTraceback && (parsed.frames.length > 0 || parsed.internal > 0) && (
        <details className="error__trace" open={parsed.frames.length > 0 && parsed.frames.length <= 4}>
          <summary>
            Traceback: {parsed.frames.length} frame{parsed.frames.length === 1 ? '' : 's'} in your code
            {parsed.internal > 0 ? `, ${parsed.internal} internal hidden` : ''}
          </summary>
          {parsed.frames.map((frame, i) => (
            <pre key={i} className="error__frame">{frame}</pre>
          ))}
          <details className="error__full">
            <summary>Full traceback</summary>
            <pre>{parsed.text}</pre>
          </details>
        </details>
      )}
    </div>
  );
}
