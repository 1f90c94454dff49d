/** @jest-environment jsdom */
import type { LanguageInfo } from '../api/types';
import type { BrowserPluginApi } from '../plugin-api';
import { RendererRegistry } from '../render/registry';
import { editorLanguagesVersion, loadBrowserModules, pluginEditorLanguage, pluginProblems } from './browser-modules';

const language = (id: string, browser_module: string | null): LanguageInfo => ({ id, display_name: id, file_extension: null, editor: { mode: null }, browser_module });

describe('loadBrowserModules', () => {
  it('activates each module once with the page CodeMirror, and takes its editor language and renderers', async () => {
    const registry = new RendererRegistry();
    const imported: string[] = [];
    let seen: BrowserPluginApi | null = null;
    const importModule = async (url: string) => {
      imported.push(url);
      return {
        activate(api: BrowserPluginApi) {
          seen = api;
          api.registerEditorLanguage('loud', () => api.codemirror.view.EditorView.editable.of(true));
          api.registerRenderer({ mimeTypes: ['application/x-loud'], rank: 5, render: (_o, el) => { el.textContent = 'LOUD'; } });
        },
      };
    };
    const version = editorLanguagesVersion.get();
    const languages = [language('loud', 'plugins/loud/browser.js'), language('quiet', null)];
    await loadBrowserModules(languages, { registry, importModule });
    await loadBrowserModules(languages, { registry, importModule });
    expect(imported).toEqual([`${document.baseURI.replace(/[^/]*$/, '')}plugins/loud/browser.js`]);
    expect(seen!.languageId).toBe('loud');
    expect(typeof seen!.codemirror.language.StreamLanguage.define).toBe('function');
    expect(pluginEditorLanguage('loud')).toBeDefined();
    expect(pluginEditorLanguage('quiet')).toBeUndefined();
    expect(editorLanguagesVersion.get()).toBe(version + 1);
    expect(registry.resolve({ mime_type: 'application/x-loud', data: null })?.renderer).toMatchObject({ id: 'loud:application/x-loud', rank: 5, kind: 'dom' });
  });

  it('reports a module that fails to load or has no activate, and goes on', async () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await loadBrowserModules([language('broken', 'plugins/broken/browser.js'), language('empty', 'plugins/empty/browser.js')], {
      registry: new RendererRegistry(),
      importModule: async (url) => (url.includes('broken') ? Promise.reject(new Error('404')) : {}),
    });
    spy.mockRestore();
    expect([...pluginProblems.get()].sort()).toEqual([
      expect.stringMatching(/"broken" .* failed: 404/),
      expect.stringMatching(/"empty" .* failed: it exports no activate/),
    ]);
  });
});
