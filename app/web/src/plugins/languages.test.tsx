/** @jest-environment jsdom */
import { act, cleanup, render, screen } from '@testing-library/react';
import { PluginProblems } from '../components/PluginProblems';
import { Signal } from '../state/signal';
import { DEFAULT_LANGUAGES, displayNameOf, loadedLanguages, nextLanguage, setLoadedLanguages } from './languages';

afterEach(() => {
  cleanup();
  loadedLanguages.set(DEFAULT_LANGUAGES);
});

describe('the host\'s language list in the page', () => {
  const three = [...DEFAULT_LANGUAGES, { id: 'shout', display_name: 'Shout', file_extension: '.shout', editor: { mode: null }, browser_module: 'plugins/shout/browser.js' }];

  it('cycles the toggle key through every listed language', () => {
    expect(nextLanguage(three, 'python')).toBe('sql');
    expect(nextLanguage(three, 'sql')).toBe('shout');
    expect(nextLanguage(three, 'shout')).toBe('python');
    expect(nextLanguage(three, 'gone')).toBe('python');
  });

  it('names a language by its display name, an unlisted one by its id', () => {
    expect(displayNameOf(three, 'shout')).toBe('Shout');
    expect(displayNameOf(three, 'gone')).toBe('gone');
  });

  it('keeps Python and SQL for a host that lists no languages', () => {
    setLoadedLanguages(undefined);
    expect(loadedLanguages.get().map((l) => l.id)).toEqual(['python', 'sql']);
    setLoadedLanguages(three);
    expect(loadedLanguages.get().map((l) => l.id)).toEqual(['python', 'sql', 'shout']);
  });
});

describe('PluginProblems', () => {
  it('shows nothing until a browser module fails, then says which', () => {
    const problems = new Signal<readonly string[]>([]);
    const { container } = render(<PluginProblems problems={problems} />);
    expect(container.textContent).toBe('');
    act(() => problems.set(['The browser module of language "shout" failed: 404']));
    expect(screen.getByRole('status', { name: 'Plugin problems' }).textContent).toContain('"shout" failed: 404');
  });
});
