/// <reference lib="dom" preserve="true" />
/**
 * The browser-module API, types only (`@rnb/core/browser`): what a language plugin's browser
 * module (an ES module file the server serves at `<prefix>/plugins/<language>/browser.js`)
 * receives and may contribute. An outside package imports them with `import type` from this
 * entry, the one it already depends on; the page (`app/web/src/plugin-api.ts`) re-exports them.
 *
 * The CodeMirror types come from `@codemirror/*` and `@lezer/highlight`: a module author who
 * wants them typed installs those packages as dev dependencies (the page hands over its own
 * copies at run time, so nothing of them is bundled into the module).
 */
import type * as CodeMirrorLanguage from '@codemirror/language';
import type * as CodeMirrorState from '@codemirror/state';
import type * as CodeMirrorView from '@codemirror/view';
import type * as LezerHighlight from '@lezer/highlight';
import type { Output } from './wire';

export type { Output };

/** The API version the page passes; bumped only on a change a module could notice. */
export type BrowserPluginApiVersion = 1;

/** The CodeMirror packages of the page, exactly as they are imported there. */
export interface CodeMirrorPackages {
  state: typeof CodeMirrorState;
  view: typeof CodeMirrorView;
  language: typeof CodeMirrorLanguage;
  highlight: typeof LezerHighlight;
}

/** Makes the editor extension of a language (its mode, highlighting, ...) for one editor. */
export type EditorLanguageFactory = () => CodeMirrorState.Extension;

/**
 * Shows one output in a DOM element the page owns (empty, inside the cell's output area). May
 * return a function the page calls when the output goes away. The output's data is untrusted:
 * use `textContent`, never `innerHTML` with it.
 */
export type RenderOutput = (output: Output, element: HTMLElement) => void | (() => void);

/** A renderer for some MIME types (JupyterLab's rendermime is the model). */
export interface OutputRendererSpec {
  /** Unique among renderers; default: `<language>:<first mime type>`. */
  id?: string;
  /** Exact types (`application/x-shout+json`) or a whole family (`image/*`). */
  mimeTypes: readonly string[];
  /** Lower wins when several renderers take a type (default 100; the built-in ones use 100). */
  rank?: number;
  /** Declines an output this renderer cannot show (a malformed payload): the next-ranked one gets it. */
  canRender?(output: Output): boolean;
  render: RenderOutput;
}

/** What `activate` receives. */
export interface BrowserPluginApi {
  readonly version: BrowserPluginApiVersion;
  /** The language whose definition declared this module. */
  readonly languageId: string;
  readonly codemirror: CodeMirrorPackages;
  /** The editor of every cell of `languageId` uses this (instead of the built-in mode, if any). */
  registerEditorLanguage(languageId: string, factory: EditorLanguageFactory): void;
  registerRenderer(renderer: OutputRendererSpec): void;
}

/** The shape of a browser module: `export function activate(api) { ... }`. */
export interface BrowserPluginModule {
  activate(api: BrowserPluginApi): void | Promise<void>;
}
