import type { Page } from 'playwright-core';
import { api, cell, describeInBrowser, editorText, useBrowserHost, waitForFocusIn, type Host } from './harness';

/**
 * A markdown cell's editor highlights markdown (the built-in mode `markdown`, which the markdown
 * plugin names in `editor.mode` and the page loads on first use): typed at full speed, the
 * heading is bold, emphasis slanted, strong text bold, a link underlined, and fenced Python code
 * coloured as Python, while the prose keeps the text's own style; Enter in a list continues it.
 */
jest.setTimeout(120_000);

interface TextStyle { fontWeight: string; fontStyle: string; decoration: string; color: string }

describeInBrowser('the markdown cell editor', () => {
  let host: Host;
  let page: Page;
  const pageErrors: string[] = [];
  useBrowserHost({ viewport: { width: 1280, height: 900 } }, (started) => {
    ({ host, page } = started);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(message.text()); });
  });

  /** The computed style of the element holding the first editor text node of cell `index` that contains `text`. */
  const styleOf = (index: number, text: string): Promise<TextStyle | null> => cell(page, index).locator('.cm-content').evaluate((content, wanted) => {
    const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent?.includes(wanted) || !node.parentElement) continue;
      const style = getComputedStyle(node.parentElement);
      return { fontWeight: style.fontWeight, fontStyle: style.fontStyle, decoration: style.textDecorationLine, color: style.color };
    }
    return null;
  }, text);

  it('styles headings, emphasis, strong text, links and fenced code as markdown, and continues lists', async () => {
    const id = (await api(host, 'POST', 'api/notebooks', { name: 'Markdown editor' })).body.notebook_id as string;
    await page.goto(`${host.url}#/n/${id}`);
    await cell(page, 0).waitFor();
    await page.waitForSelector('[data-connection="online"]');

    await page.getByRole('group', { name: 'Add a cell at the end' }).getByRole('button', { name: '+ Markdown cell' }).click();
    // A new markdown cell opens with its editor focused.
    await waitForFocusIn(page, 1);
    const text = ['# Sales report', '', 'Plain words, *soft* and **strong** ones, a [link](https://example.com).', '', '```python', 'def total(): pass', '```'].join('\n');
    await page.keyboard.type(text);
    expect(await editorText(page, 1)).toBe(text);

    // The mode arrives in a chunk of its own: wait until the heading is styled.
    await page.waitForFunction(() => {
      const line = document.querySelectorAll('section[data-cell-id]')[1]?.querySelector('.cm-content .cm-line span');
      return !!line && Number(getComputedStyle(line).fontWeight) >= 700;
    }, null, { timeout: 15_000 });
    const plain = await styleOf(1, 'Plain words');
    expect(plain).toMatchObject({ fontWeight: '400', fontStyle: 'normal', decoration: 'none' });
    expect(Number((await styleOf(1, 'Sales report'))?.fontWeight)).toBeGreaterThanOrEqual(700);
    expect(await styleOf(1, 'soft')).toMatchObject({ fontStyle: 'italic', fontWeight: '400' });
    expect(Number((await styleOf(1, 'strong'))?.fontWeight)).toBeGreaterThanOrEqual(700);
    expect((await styleOf(1, 'link'))?.decoration).toBe('underline');
    // Fenced code in a language the page knows is highlighted as that language.
    expect((await styleOf(1, 'def'))?.color).not.toBe(plain?.color);
    // Enter in a list continues it (lang-markdown's keymap), at full speed.
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.type('\n\n- first\nsecond');
    expect(await editorText(page, 1)).toBe(`${text}\n\n- first\n- second`);
    expect(pageErrors).toEqual([]);
  });
});
