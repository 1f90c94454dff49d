import { useLayoutEffect, useMemo, useRef, useState } from 'react';

/** Every line's height, fixed by `.text-window__lines` in styles.css (no wrapping), so a line's place is its index. */
export const TEXT_LINE_HEIGHT = 18;
/** Lines drawn above and below the view, so a scroll shows drawn text before the next frame. */
const OVERSCAN = 40;
/** The tallest scroll space made (px): browsers lay out at most about 33 million px; past this, positions are scaled. */
const MAX_SPACE = 16_000_000;
/** The view's height when the box cannot say (not laid out yet). */
const FALLBACK_VIEW = 480;

/** Where each line starts in `text`; a final newline ends the last line rather than starting an empty one. */
export function lineStarts(text: string): Uint32Array {
  const starts: number[] = text === '' ? [] : [0];
  for (let at = text.indexOf('\n'); at !== -1 && at < text.length - 1; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  return Uint32Array.from(starts);
}

/** The lines to draw for a scroll position: [first, end) and where the first is placed (px from the space's top). */
export function textWindow(lines: number, scrollTop: number, viewHeight: number): { first: number; end: number; top: number } {
  const visible = Math.ceil(viewHeight / TEXT_LINE_HEIGHT) + 1;
  const full = lines * TEXT_LINE_HEIGHT;
  if (full <= MAX_SPACE) {
    const first = Math.max(0, Math.floor(scrollTop / TEXT_LINE_HEIGHT) - OVERSCAN);
    return { first, end: Math.min(lines, first + visible + 2 * OVERSCAN), top: first * TEXT_LINE_HEIGHT };
  }
  // Scaled: the scroll position is a fraction of the text, and the lines there are drawn where the view is.
  const fraction = Math.min(1, Math.max(0, scrollTop / Math.max(1, MAX_SPACE - viewHeight)));
  const first = Math.round(fraction * Math.max(0, lines - visible));
  return { first, end: Math.min(lines, first + visible), top: Math.min(scrollTop, MAX_SPACE - visible * TEXT_LINE_HEIGHT) };
}

/**
 * A long text drawn a window at a time: a scroll space as tall as all its lines, and only the lines in view (and a
 * margin) in the page, so 1,000,000 lines scroll like 100. Lines do not wrap (each is one row of fixed height; the box
 * scrolls sideways). Selecting reaches only the lines drawn: the toolbar's "Copy all" and "Download" take the whole text.
 * `stickToBottom`: printed output stays at its end as it grows, unless the user scrolled up.
 */
export function WindowedText({ text, label, className, stickToBottom }: { text: string; label: string; className: string; stickToBottom: boolean }) {
  const starts = useMemo(() => lineStarts(text), [text]);
  const lines = starts.length;
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewHeight, setViewHeight] = useState(FALLBACK_VIEW);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (el.clientHeight > 0) setViewHeight(el.clientHeight);
    if (stickToBottom && pinned.current) el.scrollTop = el.scrollHeight;
    setScrollTop(el.scrollTop);
  }, [text, stickToBottom]);

  const onScroll = (): void => {
    const el = box.current;
    if (!el) return;
    pinned.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
    setScrollTop(el.scrollTop);
  };

  const { first, end, top } = textWindow(lines, scrollTop, viewHeight);
  const shown = lines === 0 ? '' : text.slice(starts[first], end < lines ? starts[end] : text.length);
  return (
    <div ref={box} onScroll={onScroll} className={`${className} text-window`} aria-label={label} tabIndex={0} data-lines={lines}>
      <div className="text-window__space" style={{ height: Math.min(lines * TEXT_LINE_HEIGHT, MAX_SPACE) }}>
        <pre className="text-window__lines" style={{ top }} data-first-line={first}>
          {shown}
        </pre>
      </div>
    </div>
  );
}
