/** @jest-environment jsdom */
import { LanguageSupport } from '@codemirror/language';
import { loadBrowserModules } from '../plugins/browser-modules';
import { loadedLanguages, setLoadedLanguages, DEFAULT_LANGUAGES } from '../plugins/languages';
import type { BrowserPluginApi } from '../plugin-api';
import { RendererRegistry } from '../render/registry';
import { languageFor } from './editor-setup';

const modeName = (extension: unknown): string | null => (extension instanceof LanguageSupport ? extension.language.name : null);

describe('languageFor: the editor language of a cell type', () => {
  afterEach(() => loadedLanguages.set(DEFAULT_LANGUAGES));

  it('gives Python and SQL their CodeMirror modes and an unknown language a plain editor', () => {
    expect(modeName(languageFor('python'))).toBe('python');
    expect(modeName(languageFor('sql'))).toBe('sql');
    expect(languageFor('cobol')).toEqual([]);
  });

  it('follows the mode the host lists for a language', () => {
    setLoadedLanguages([
      { id: 'py3', display_name: 'Python 3', file_extension: '.py', editor: { mode: 'python' }, browser_module: null },
      { id: 'python', display_name: 'Python', file_extension: '.py', editor: { mode: null }, browser_module: null },
    ]);
    expect(modeName(languageFor('py3'))).toBe('python');
    // The host says this language has no built-in mode: plain, whatever its id.
    expect(languageFor('python')).toEqual([]);
  });

  it('prefers the editor language a browser module registered, and survives one that throws', async () => {
    setLoadedLanguages([{ id: 'loud', display_name: 'Loud', file_extension: null, editor: { mode: 'python' }, browser_module: 'plugins/loud/browser.js' }]);
    const marker = { extension: [] };
    let throwNow = false;
    await loadBrowserModules(loadedLanguages.get(), {
      registry: new RendererRegistry(),
      importModule: async () => ({
        activate: (api: BrowserPluginApi) => api.registerEditorLanguage('loud', () => {
          if (throwNow) throw new Error('bug in the mode');
          return marker;
        }),
      }),
    });
    expect(languageFor('loud')).toBe(marker);
    throwNow = true;
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(languageFor('loud')).toEqual([]);
    spy.mockRestore();
  });
});
