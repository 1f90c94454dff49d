/**
 * The browser-module API: what a language plugin's browser module (an ES module file the server
 * serves at `<prefix>/plugins/<language>/browser.js`) receives and may contribute. The types live
 * in `@rnb/core/browser`, the entry an outside plugin package already depends on; they are
 * re-exported here for the page's own code.
 *
 * A browser module exports `activate(api)`. It needs no bundler: the page hands it the page's
 * own CodeMirror packages, so a StreamLanguage or a highlight style it builds is made of the
 * same classes as the editor's and mixes with them.
 */
import type { BrowserPluginApiVersion } from '@rnb/core/browser';

export type {
  BrowserPluginApi,
  BrowserPluginApiVersion,
  BrowserPluginModule,
  CodeMirrorPackages,
  EditorLanguageFactory,
  Output,
  OutputRendererSpec,
  RenderOutput,
} from '@rnb/core/browser';

/** Bump only on a change a module could notice (and `BrowserPluginApiVersion` with it); a module can refuse a newer API. */
export const BROWSER_PLUGIN_API_VERSION: BrowserPluginApiVersion = 1;
