import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { stripAnsi } from './text';
import { WindowedText } from './WindowedText';

/** Lines kept in the page until "Show all": a flood of prints must not put 20,000 lines in the DOM. */
export const PREVIEW_LINES = 1000;
/** Characters kept likewise, for output with few but very long lines. */
export const PREVIEW_CHARS = 200_000;
/** From this many lines on, the text gets its toolbar (count, download): it no longer fits its box. */
const TOOLBAR_LINES = 30;

export type TextKind = 'stdout' | 'stderr' | 'text';

const LABELS: Record<TextKind, string> = { stdout: 'Standard output', stderr: 'Standard error', text: 'Text output' };

/**
 * Printed output (stdout, stderr) or a value's text. Long text sits in a scroll box of bounded
 * height; past {@link PREVIEW_LINES} lines only the end of printed output (where a run's latest
 * lines are) or the start of a value's text is in the page, until "Show all", which shows all
 * of it windowed (WindowedText: only the lines in view are in the page). "Copy all" and
 * "Download" take the full text.
 */
export function TextOutput({ text, stream }: { text: string; stream?: 'stdout' | 'stderr' }) {
  const kind: TextKind = stream ?? 'text';
  const clean = useMemo(() => stripAnsi(text), [text]);
  const [showAll, setShowAll] = useState(false);
  const preview = useMemo(() => previewText(clean, kind === 'text' ? 'head' : 'tail'), [clean, kind]);
  const box = useStickToBottom(preview.text, kind !== 'text' && !showAll);
  const [copied, setCopied] = useState(false);
  const copyAll = (): void => {
    void navigator.clipboard?.writeText(clean).then(() => {
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    });
  };
  const className = kind === 'text' ? 'output output--text output--scroll' : `output output--${kind} output--scroll`;

  return (
    <div className={`output__long output__long--${kind}`}>
      {preview.totalLines > TOOLBAR_LINES || preview.cut ? (
        <div className="output__bar" role="group" aria-label={`${LABELS[kind]}: ${preview.totalLines.toLocaleString('en-US')} lines`}>
          <span className="output__count">
            {preview.cut && !showAll ? previewSentence(preview, kind) : `${preview.totalLines.toLocaleString('en-US')} lines`}
          </span>
          {preview.cut && (
            <button type="button" className="btn btn--small" onClick={() => setShowAll((all) => !all)}>
              {showAll ? 'Show less' : 'Show all'}
            </button>
          )}
          {showAll && (
            <button type="button" className="btn btn--small" onClick={copyAll}>
              {copied ? 'Copied' : 'Copy all'}
            </button>
          )}
          <button type="button" className="btn btn--small" onClick={() => downloadText(clean, `${kind === 'text' ? 'output' : kind}.txt`)}>
            Download
          </button>
        </div>
      ) : null}
      {showAll ? (
        <WindowedText text={clean} label={LABELS[kind]} className={className} stickToBottom={kind !== 'text'} />
      ) : (
        <pre ref={box.ref} onScroll={box.onScroll} className={className} aria-label={LABELS[kind]} tabIndex={preview.totalLines > TOOLBAR_LINES ? 0 : undefined}>
          {preview.text}
        </pre>
      )}
    </div>
  );
}

export interface TextPreview {
  /** The part shown until "Show all". */
  text: string;
  shownLines: number;
  totalLines: number;
  /** Whether `text` is only part of the whole. */
  cut: boolean;
}

/** Lines in a text; a final newline ends the last line rather than starting an empty one. */
export function countLines(text: string): number {
  if (text === '') return 0;
  let count = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < text.length - 1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/** The first or last {@link PREVIEW_LINES} lines of a text, at most {@link PREVIEW_CHARS} characters. */
export function previewText(text: string, keep: 'head' | 'tail'): TextPreview {
  const totalLines = countLines(text);
  if (totalLines <= PREVIEW_LINES && text.length <= PREVIEW_CHARS) return { text, shownLines: totalLines, totalLines, cut: false };
  let part: string;
  if (keep === 'tail') {
    // Walk back over PREVIEW_LINES line breaks, ignoring the one that ends the text.
    let start = text.endsWith('\n') ? text.length - 1 : text.length;
    for (let i = 0; i < PREVIEW_LINES && start > 0; i++) start = text.lastIndexOf('\n', start - 1);
    part = text.slice(Math.max(start + 1, text.length - PREVIEW_CHARS));
  } else {
    let end = -1;
    for (let i = 0; i < PREVIEW_LINES; i++) {
      end = text.indexOf('\n', end + 1);
      if (end === -1) break;
    }
    part = text.slice(0, Math.min(end === -1 ? text.length : end + 1, PREVIEW_CHARS));
  }
  return { text: part, shownLines: countLines(part), totalLines, cut: true };
}

function previewSentence(preview: TextPreview, kind: TextKind): string {
  const which = kind === 'text' ? 'first' : 'last';
  if (preview.shownLines < preview.totalLines) {
    return `Showing the ${which} ${preview.shownLines.toLocaleString('en-US')} of ${preview.totalLines.toLocaleString('en-US')} lines`;
  }
  return `Showing the ${which} ${preview.text.length.toLocaleString('en-US')} characters`;
}

/** Saves text as a .txt file through a temporary object URL. */
export function downloadText(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the blob once the click is handled; keep it a while for slow ones.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/**
 * Keeps a scroll box at its bottom while text streams in, as a terminal does, unless the user
 * scrolled up to read.
 */
function useStickToBottom(content: string, enabled: boolean) {
  const ref = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);
  useLayoutEffect(() => {
    const el = ref.current;
    if (enabled && el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [content, enabled]);
  const onScroll = (): void => {
    const el = ref.current;
    if (el) pinned.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
  };
  return { ref, onScroll };
}

/** A cell's stderr; cells stored before stderr was kept apart have none. */
export function stderrOf(cell: { stdout: string; stderr?: string }): string {
  return cell.stderr ?? '';
}
