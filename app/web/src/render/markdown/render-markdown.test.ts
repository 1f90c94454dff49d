/** @jest-environment jsdom */
import { renderMarkdown } from './render-markdown';

/** The rendered HTML as a DOM, to ask what is in it rather than match text. */
function dom(markdown: string): HTMLElement {
  const element = document.createElement('div');
  element.innerHTML = renderMarkdown(markdown);
  return element;
}

const handlers = (element: HTMLElement): string[] =>
  [...element.querySelectorAll('*')].flatMap((node) => [...node.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${node.nodeName}.${a.name}`));

describe('markdown in the page: rendered', () => {
  it('renders headings, GFM tables, emphasis and math', () => {
    const element = dom('# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n**bold** ~~gone~~ and $x^2$\n\n$$\n\\frac{a}{b}\n$$');
    expect(element.querySelector('h1')?.textContent).toBe('Title');
    expect([...element.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['1', '2']);
    expect(element.querySelector('strong')?.textContent).toBe('bold');
    expect(element.querySelector('s')?.textContent).toBe('gone');
    expect(element.querySelectorAll('math')).toHaveLength(2);
    expect(element.querySelector('math mfrac')).not.toBeNull();
  });

  it('highlights Python and SQL code blocks with the editor parsers, and leaves others plain', () => {
    const element = dom('```python\ndef f(x):\n    return 1\n```\n\n```sql\nSELECT 1\n```\n\n```text\n{a}\n```');
    const [py, sql, text] = [...element.querySelectorAll('pre code')];
    expect(py!.querySelector('.tok-keyword')?.textContent).toBe('def');
    expect(sql!.querySelector('.tok-keyword')?.textContent).toBe('SELECT');
    expect(text!.innerHTML).toBe('{a}\n');
  });

  it('keeps <rnb-widget id> placeholders and nothing else custom', () => {
    const element = dom('Pick <rnb-widget id="w-1" onclick="x()" class="c"></rnb-widget> <my-thing>t</my-thing>');
    const widget = element.querySelector('rnb-widget');
    expect(widget?.getAttributeNames()).toEqual(['id']);
    expect(widget?.id).toBe('w-1');
    expect(element.querySelector('my-thing')).toBeNull();
  });
});

describe('markdown in the page: sanitised', () => {
  it('drops script tags', () => {
    const element = dom('<script>window.hacked = 1</script>\n\ntext <script>alert(1)</script>');
    expect(element.querySelector('script')).toBeNull();
    expect(element.innerHTML).not.toContain('<script');
  });

  it('drops event handlers (onerror, onclick, onload)', () => {
    const element = dom('<img src="x" onerror="alert(1)">\n\n<a href="#" onclick="alert(1)">x</a>\n\n<div onload="alert(1)">y</div>');
    expect(handlers(element)).toEqual([]);
    expect(element.querySelector('img')?.getAttribute('src')).toBe('x');
  });

  it('refuses javascript: links, whether markdown or HTML, however they are spelled', () => {
    const element = dom('[a](javascript:alert(1)) <a href="JaVaScRiPt:alert(1)">b</a> <a href=" javascript:alert(1)">c</a> [d](vbscript:x) <a href="data:text/html,<script>1</script>">e</a>');
    const hrefs = [...element.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(hrefs.filter((h) => h !== null && /^\s*(javascript|vbscript|data):/i.test(h))).toEqual([]);
  });

  it('refuses style injection: <style>, style attributes, iframes, forms', () => {
    const element = dom('<style>body{display:none}</style>\n\n<p style="position:fixed;inset:0">cover</p>\n\n<iframe src="https://example.com"></iframe><form action="/x"><input name="q"></form>');
    expect(element.querySelector('style, iframe, form, input, [style]')).toBeNull();
    expect(element.textContent).toContain('cover');
  });

  it('shows an interpolated HTML value as text (the runtime escapes it, the renderer keeps it text)', () => {
    // What the kernel emits for `{evil}` when evil = '<img src=x onerror="alert(1)">' (plugins/markdown/src/values.ts).
    const element = dom('Said: &lt;img src\\=x onerror\\=&quot;alert\\(1\\)&quot;&gt;');
    expect(element.querySelector('img')).toBeNull();
    expect(element.textContent?.trim()).toBe('Said: <img src=x onerror="alert(1)">');
  });
});
