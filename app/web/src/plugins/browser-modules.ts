/**
 * Loads the plugins' browser modules at run time (dynamic `import()` of the URL the host lists
 * in /api/config) and hands each the page's CodeMirror and registries: see ../plugin-api.ts.
 * Lives in the notebook page's chunk, with CodeMirror; the notebook list never loads it.
 */
import * as language from '@codemirror/language';
import * as state from '@codemirror/state';
import * as view from '@codemirror/view';
import * as highlight from '@lezer/highlight';
import { appUrl } from '../api/base-url';
import type { LanguageInfo } from '../api/types';
import { BROWSER_PLUGIN_API_VERSION, type BrowserPluginApi, type BrowserPluginModule, type EditorLanguageFactory, type OutputRendererSpec } from '../plugin-api';
import { outputRenderers } from '../render/output-renderers';
import { DEFAULT_RANK, type RendererRegistry } from '../render/registry';
import { Signal } from '../state/signal';

const editorLanguages = new Map<string, EditorLanguageFactory>();

/** Bumped when a module registers an editor language, so open editors switch to it. */
export const editorLanguagesVersion = new Signal(0);

/** A module's problems (failed to load, threw in activate), for the page to show. */
export const pluginProblems = new Signal<readonly string[]>([]);

/** The editor language a browser module registered for `languageId`, if any. */
export function pluginEditorLanguage(languageId: string): EditorLanguageFactory | undefined {
  return editorLanguages.get(languageId);
}

const started = new Map<string, Promise<void>>();

export interface LoadOptions {
  registry?: RendererRegistry;
  /** Injected in tests; the browser's module loader otherwise. */
  importModule?: (url: string) => Promise<unknown>;
}

/** Loads every listed language's browser module once per page (later calls reuse the first load). */
export function loadBrowserModules(languages: readonly LanguageInfo[], options: LoadOptions = {}): Promise<void> {
  const loads = languages.filter((l) => l.browser_module).map((l) => {
    const url = appUrl(l.browser_module!);
    let load = started.get(url);
    if (!load) {
      load = loadOne(l.id, url, options);
      started.set(url, load);
    }
    return load;
  });
  return Promise.all(loads).then(() => undefined);
}

async function loadOne(languageId: string, url: string, options: LoadOptions): Promise<void> {
  const importModule = options.importModule ?? ((u: string) => import(/* @vite-ignore */ u) as Promise<unknown>);
  const registry = options.registry ?? outputRenderers;
  try {
    const loaded = (await importModule(url)) as Partial<BrowserPluginModule> & { default?: Partial<BrowserPluginModule> };
    const activate = loaded.activate ?? loaded.default?.activate;
    if (typeof activate !== 'function') throw new Error('it exports no activate(api) function');
    await activate(apiFor(languageId, registry));
  } catch (error) {
    const message = `The browser module of language "${languageId}" (${url}) failed: ${(error as Error)?.message ?? String(error)}`;
    // eslint-disable-next-line no-console
    console.error(message);
    pluginProblems.set([...pluginProblems.get(), message]);
  }
}

function apiFor(languageId: string, registry: RendererRegistry): BrowserPluginApi {
  return {
    version: BROWSER_PLUGIN_API_VERSION,
    languageId,
    codemirror: { state, view, language, highlight },
    registerEditorLanguage(id, factory) {
      if (typeof factory !== 'function') throw new Error('registerEditorLanguage needs a function that returns a CodeMirror extension');
      editorLanguages.set(id, factory);
      editorLanguagesVersion.set(editorLanguagesVersion.get() + 1);
    },
    registerRenderer(spec: OutputRendererSpec) {
      if (!Array.isArray(spec.mimeTypes) || spec.mimeTypes.length === 0 || typeof spec.render !== 'function') {
        throw new Error('registerRenderer needs mimeTypes (a non-empty list) and render(output, element)');
      }
      registry.register({
        kind: 'dom',
        id: spec.id ?? `${languageId}:${spec.mimeTypes[0]}`,
        mimeTypes: [...spec.mimeTypes],
        rank: typeof spec.rank === 'number' ? spec.rank : DEFAULT_RANK,
        ...(spec.canRender ? { canRender: spec.canRender.bind(spec) } : {}),
        render: spec.render.bind(spec),
      });
    },
  };
}
