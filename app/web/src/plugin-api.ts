/**
 * The browser-module API: what a language plugin's browser module (an ES module file the server
 * serves at `<prefix>/plugins/<language>/browser.js`) receives and may contribute. Types only:
 * a module author imports them with `import type` (or copies them); nothing here is code.
 *
 * A browser module exports `activate(api)`. It needs no bundler: the page hands it the page's
 * own CodeMirror packages, so a StreamLanguage or a highlight style it builds is made of the
 * same classes as the editor's and mixes with them.
 */
import type * as CodeMirrorLanguage from '@codemirror/language';
import type * as CodeMirrorState from '@codemirror/state';
import type * as CodeMirrorView from '@codemirror/view';
import type * as LezerHighlight from '@lezer/highlight';
import type { Output } from './api/types';

export type { Output };

/** Bump only on a change a module could notice; the page passes it so a module can refuse a newer API. */
export const BROWSER_PLUGIN_API_VERSION = 1;

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
  readonly version: typeof BROWSER_PLUGIN_API_VERSION;
  /** The language whose definition declared this module. */
  readonly languageId: string;
  readonly codemirror: CodeMirrorPackages;
  /** The editor of every cell of `languageId` uses this (instead of the built-in mode, if any). */
  registerEditorLanguage(languageId: string, factory: EditorLanguageFactory): void;
  registerRenderer(renderer: OutputRendererSpec): void;
}

/** The shape of a browser module. */
export interface BrowserPluginModule {
  activate(api: BrowserPluginApi): void | Promise<void>;
}
