import { interpolateTemplate, type ValueLookup } from './interpolate';
import { renderMarkdownHtml } from './export-html';

const values = (record: Record<string, unknown>): ValueLookup => (name) =>
  Object.prototype.hasOwnProperty.call(record, name) ? { found: true, value: record[name] } : { found: false };

describe('interpolating a markdown cell', () => {
  it('formats values with their spec and keeps literal braces', () => {
    expect(interpolateTemplate('Pi is {x:.2f}; {{x}}; `{x}`', values({ x: 3.14159 })).markdown).toBe('Pi is 3.14; {x}; `{x}`');
  });

  it('shows values as Python would print them', () => {
    const { markdown } = interpolateTemplate('{a} {b} {c} {d} {e}', values({ a: null, b: true, c: 2.5, d: 10, e: [1, 2] }));
    expect(markdown).toBe('None True 2.5 10 \\[1,2\\]');
  });

  it('escapes a value so that it stays text: HTML, markdown, a line that would start a block', () => {
    const hostile = '<img src=x onerror="alert(1)"> **bold** [link](javascript:alert(1)) `code` $x$';
    const { markdown } = interpolateTemplate('{v}', values({ v: hostile }));
    expect(markdown).not.toMatch(/<img|\*\*bold|\]\(/);
    expect(interpolateTemplate('{v}', values({ v: '# title\n- item\n1. one' })).markdown).toBe('\\# title\n\\- item\n1\\. one');
  });

  it('shows a list of records as a GFM table, cells escaped', () => {
    const { markdown } = interpolateTemplate('Sales:\n{rows}', values({ rows: [{ region: 'North', total: 10 }, { region: 'a|b', total: 2.5 }] }));
    expect(markdown).toContain('| region | total |\n| --- | --- |\n| North | 10 |\n| a\\|b | 2.5 |');
  });

  it('embeds a widget by reference and keeps its model', () => {
    const slider = { $rnbWidget: { widget_id: 'w-1', kind: 'slider', value: 10, props: { min: 0, max: 100 } } };
    const cell = interpolateTemplate('Threshold: {threshold} is {threshold.value:.1f}', values({ threshold: slider }));
    expect(cell.markdown).toBe('Threshold: <rnb-widget id="w-1"></rnb-widget> is 10.0');
    expect(cell.widgets).toEqual({ 'w-1': slider.$rnbWidget });
  });

  it('fails like SQL on a name no cell defines, naming it and its place', () => {
    expect(() => interpolateTemplate('ok\nsee {missing:.2f}', values({}))).toThrow(
      "Markdown variable 'missing' not found: no cell defines missing, so {missing} has no value (line 2, column 5)",
    );
  });

  it('fails on an attribute the value does not have, never reading the prototype', () => {
    expect(() => interpolateTemplate('{x.constructor}', values({ x: { a: 1 } }))).toThrow("'x' has no attribute 'constructor'");
  });
});

describe('markdown as HTML for exports', () => {
  it('renders headings, GFM tables, code and math', () => {
    const html = renderMarkdownHtml('# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = {1}\n```\n\n$x^2$');
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<table>');
    expect(html).toContain('<td>1</td>');
    expect(html).toContain('<code class="language-python">x = {1}');
    expect(html).toContain('<math');
  });

  it('keeps script tags, event handlers and javascript: links inert', () => {
    const html = renderMarkdownHtml('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n\n[click](javascript:alert(1))\n\n$\\href{javascript:alert(1)}{x}$');
    expect(html).not.toMatch(/<script|<img|href="javascript:/i);
    expect(html).toContain('&lt;script&gt;');
  });

  it('shows an embedded widget as its value', () => {
    expect(renderMarkdownHtml('T = <rnb-widget id="w"></rnb-widget>', { w: { widget_id: 'w', kind: 'slider', value: 7, props: {} } })).toBe('<p>T = 7</p>\n');
  });
});
