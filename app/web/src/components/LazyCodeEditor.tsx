import { highlightCode } from '@lezer/highlight';
import { LanguageSupport } from '@codemirror/language';
import { memo, useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { flushSync } from 'react-dom';
import type { NotebookController } from '../state/notebook-controller';
import { editorMounts, watchNearViewport } from './cell-in-view';
import { CodeEditor, type CodeEditorProps } from './CodeEditor';
import { highlight, languageFor } from './editor-setup';

/**
 * A cell's editor, mounted when the cell comes within about a screen of the viewport (the cell's own watch,
 * ./cell-in-view: scrolling at a normal pace never shows a placeholder; one editor per task), or when the page asks for it:
 * a focus, a new cell; kept from then on. Until then, a light copy of the code with static
 * highlighting takes its place at the same size: opening a notebook of 1,000 cells builds the
 * editors on screen only, not 1,000 CodeMirror views.
 */
export const LazyCodeEditor = memo(function LazyCodeEditor(props: CodeEditorProps) {
  const { cellId, controller } = props;
  const subscribe = useCallback((listener: () => void) => controller.subscribeEditorWanted(cellId, listener), [controller, cellId]);
  const wanted = useSyncExternalStore(subscribe, () => controller.isEditorWanted(cellId), () => false);
  // Without IntersectionObserver (jsdom), nothing can tell where the cell is: mount at once.
  const [near, setNear] = useState(() => typeof IntersectionObserver === 'undefined');
  const placeholder = useRef<HTMLDivElement>(null);
  const mounted = near || wanted;
  const code = useShownCode(controller, cellId, props.code, !mounted);
  useEffect(() => {
    const cell = placeholder.current?.closest('[data-cell-id]');
    if (mounted || !cell) return;
    // Built in a task of its own, nearest the screen first: many cells come near at once after a jump.
    const mount = (): void => flushSync(() => setNear(true));
    const stop = watchNearViewport(cell, (isNear, distance) => (isNear ? editorMounts.add(mount, distance) : editorMounts.cancel(mount)));
    return () => {
      stop();
      editorMounts.cancel(mount);
    };
  }, [mounted]);
  if (mounted) return <CodeEditor {...props} />;
  return (
    <div
      ref={placeholder}
      className="cell__editor cell__editor--static"
      role="textbox"
      aria-readonly="true"
      aria-label={props.label}
      tabIndex={-1}
      // A click (or the focus) before it mounted: mount it now and put the cursor in it.
      onMouseDown={(event) => { event.preventDefault(); controller.focusCell(cellId); }}
      onFocus={() => controller.focusCell(cellId)}
    >
      <StaticCode code={code} language={props.language} />
    </div>
  );
});

/**
 * The code the editor would show (the shared text, else a draft, else the host's code), kept current without an
 * editor: a replace-all, a restored draft, or another person's typing (co-editing) in a cell not mounted here.
 */
function useShownCode(controller: NotebookController, cellId: string, hostCode: string, needed: boolean): string {
  const subscribe = useCallback((listener: () => void) => {
    // A mounted editor shows its own text: keystrokes there must not re-render this.
    if (!needed) return () => undefined;
    const stopDraft = controller.saver.subscribe(cellId, listener);
    const stopShared = controller.coedit?.subscribeText(cellId, listener);
    return () => {
      stopDraft();
      stopShared?.();
    };
  }, [controller, cellId, needed]);
  const shown = useCallback(() => controller.coedit?.text(cellId)?.toString() ?? controller.saver.draft(cellId) ?? hostCode, [controller, cellId, hostCode]);
  return useSyncExternalStore(subscribe, shown, shown);
}

/** The code with the editor's colours and line numbers, without an editor. */
function StaticCode({ code, language }: { code: string; language: string }) {
  const lines = useMemo(() => highlightedLines(code, language), [code, language]);
  return (
    <div className="static-code">
      <div className="static-code__gutter" aria-hidden="true">
        {lines.map((_, i) => <div key={i}>{i + 1}</div>)}
      </div>
      <pre className="static-code__content">
        {lines.map((line, i) => <div key={i} className="static-code__line">{line.length === 0 ? '\u200b' : line}</div>)}
      </pre>
    </div>
  );
}

type Parser = LanguageSupport['language']['parser'];

const parsers = new Map<string, Parser | null>();

function parserFor(language: string): Parser | null {
  if (!parsers.has(language)) {
    const support = languageFor(language);
    parsers.set(language, support instanceof LanguageSupport ? support.language.parser : null);
  }
  return parsers.get(language) ?? null;
}

/** Each line as spans coloured by the editor's highlight style (plain text for a language with no parser). */
function highlightedLines(code: string, language: string): ReactNode[][] {
  const lines: ReactNode[][] = [[]];
  const parser = parserFor(language);
  if (!parser) return code.split('\n').map((line) => (line === '' ? [] : [line]));
  let key = 0;
  highlightCode(
    code,
    parser.parse(code),
    highlight,
    (text, classes) => lines[lines.length - 1]!.push(classes ? <span key={key++} className={classes}>{text}</span> : text),
    () => lines.push([]),
  );
  return lines;
}
