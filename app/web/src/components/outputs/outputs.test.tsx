/** @jest-environment jsdom */
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { TABLE_MIME, type JsonValue, type Output } from '../../api/types';
import { ErrorOutput, parseError } from './ErrorOutput';
import { innerDocument, OUTPUT_CSP, wrapHtml } from './HtmlOutput';
import { registerBuiltinRenderers } from '../../render/builtin-renderers';
import { RendererRegistry } from '../../render/registry';
import { OutputView } from './OutputView';
import { countLines, PREVIEW_CHARS, PREVIEW_LINES, previewText, stderrOf, TextOutput } from './TextOutput';
import { lineStarts, TEXT_LINE_HEIGHT, textWindow } from './WindowedText';

afterEach(cleanup);

const show = (output: Output) => render(<OutputView output={output} />);

describe('output renderers', () => {
  it('shows plain text as preformatted text without ANSI colour codes', () => {
    show({ mime_type: 'text/plain', data: '\u001b[31mred\u001b[0m and\n  indented' });
    const pre = screen.getByLabelText('Text output');
    expect(pre.tagName).toBe('PRE');
    expect(pre.textContent).toBe('red and\n  indented');
  });

  it('puts HTML in an iframe sandboxed without same-origin, never in the page', () => {
    const { container } = show({ mime_type: 'text/html', data: '<b id="x">bold</b><script>window.parent.stolen = 1</script>' });
    const frame = screen.getByTitle('HTML output of the cell') as HTMLIFrameElement;
    expect(frame.tagName).toBe('IFRAME');
    expect(frame.getAttribute('sandbox')).toBe('allow-scripts');
    expect(frame.getAttribute('sandbox')).not.toContain('allow-same-origin');
    // The cell's markup sits one frame deeper, as the srcdoc of a frame sandboxed the same way.
    const outer = new DOMParser().parseFromString(frame.getAttribute('srcdoc')!, 'text/html');
    const inner = outer.querySelector('iframe#rnb-output')!;
    expect(inner.getAttribute('sandbox')).toBe('allow-scripts');
    expect(inner.getAttribute('srcdoc')).toContain('<b id="x">bold</b>');
    expect(outer.querySelector('#x')).toBeNull();
    // The markup is only inside srcdoc: the app's own DOM holds no element from it.
    expect(container.querySelector('#x')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
  });

  it('puts the no-network, no-navigation policy first in the outer frame, before anything of the cell', () => {
    const doc = wrapHtml('<meta http-equiv="Content-Security-Policy" content="default-src *"><p>hi</p>');
    const policy = doc.indexOf(`<meta http-equiv="Content-Security-Policy" content="${OUTPUT_CSP}">`);
    expect(policy).toBeGreaterThan(0);
    expect(policy).toBeLessThan(doc.indexOf('<iframe'));
    expect(OUTPUT_CSP).toMatch(/frame-src 'none'/);
    expect(OUTPUT_CSP).toMatch(/connect-src 'none'/);
    // No scheme or host source anywhere: an https: allowance is a way out too.
    expect(OUTPUT_CSP).not.toMatch(/https?:|\*/);
    expect(innerDocument('<p>hi</p>').indexOf(OUTPUT_CSP)).toBeLessThan(innerDocument('<p>hi</p>').indexOf('<p>hi</p>'));
  });

  it('resizes the HTML frame only on a height message from that frame, clamped', () => {
    show({ mime_type: 'text/html', data: '<p>x</p>' });
    const frame = screen.getByTitle('HTML output of the cell') as HTMLIFrameElement;
    act(() => {
      window.dispatchEvent(new MessageEvent('message', { data: { rnbHeight: 333 }, source: window }));
    });
    expect(frame.style.height).toBe('60px');
    act(() => {
      window.dispatchEvent(new MessageEvent('message', { data: { rnbHeight: 333 }, source: frame.contentWindow }));
    });
    expect(frame.style.height).toBe('333px');
    act(() => {
      window.dispatchEvent(new MessageEvent('message', { data: { rnbHeight: 1e9 }, source: frame.contentWindow }));
    });
    expect(frame.style.height).toBe('1600px');
  });

  it('shows a PNG as an image from base64 data', () => {
    show({ mime_type: 'image/png', data: 'iVBORw0KGgo=' });
    const img = screen.getByRole('img') as HTMLImageElement;
    expect(img.getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(img.getAttribute('alt')).toMatch(/PNG/);
  });

  it('refuses PNG data that is not base64', () => {
    show({ mime_type: 'image/png', data: '"><script>alert(1)</script>' });
    expect(screen.queryByRole('img')).toBeNull();
    expect(screen.getByText(/Invalid PNG output/)).toBeTruthy();
  });

  it('shows SVG as an <img> data URL, never as inline SVG', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>é</text><script>alert(1)</script></svg>';
    const { container } = show({ mime_type: 'image/svg+xml', data: svg });
    expect(container.querySelector('svg')).toBeNull();
    const src = (screen.getByRole('img') as HTMLImageElement).getAttribute('src')!;
    expect(src.startsWith('data:image/svg+xml;charset=utf-8,')).toBe(true);
    expect(decodeURIComponent(src.slice(src.indexOf(',') + 1))).toBe(svg);
  });

  it('shows JSON as a collapsible tree, nested levels folded past depth two', () => {
    const { container } = show({ mime_type: 'application/json', data: { a: 1, b: { c: [true, null, 'x'], d: { deep: { deeper: 1 } } } } });
    const tree = screen.getByRole('tree', { name: 'JSON output' });
    expect(within(tree).getByText('"x"')).toBeTruthy();
    const details = [...container.querySelectorAll('details')];
    expect(details.length).toBe(5);
    expect(details[0]!.open).toBe(true);
    expect(details.filter((d) => !d.open).length).toBeGreaterThan(0);
    expect(tree.textContent).toContain('{2 keys}');
  });

  it('parses JSON that arrives as a string', () => {
    show({ mime_type: 'application/json', data: '{"k": [1, 2]}' });
    expect(screen.getByText('Array(2)')).toBeTruthy();
  });

  it('falls back to the text/plain renderer for an unknown mime type, naming it', () => {
    const { container } = show({ mime_type: 'application/vnd.example.unknown+json', data: { mark: 'bar' } });
    expect(screen.getByText('application/vnd.example.unknown+json')).toBeTruthy();
    expect(container.querySelector('.output--text')?.textContent).toContain('"mark": "bar"');
  });

  it("shows the text form the runtime sent beside an output no renderer takes (IPython's text/plain fallback)", () => {
    const { container } = show({ mime_type: 'application/vnd.example.unknown+json', data: { mark: 'bar' }, metadata: { 'text/plain': 'Chart(bar)' } });
    expect(screen.getByText('application/vnd.example.unknown+json')).toBeTruthy();
    expect(container.querySelector('.output--text')?.textContent).toBe('Chart(bar)');
  });

  it('shows an output with a renderer a plugin registered, redrawing when it arrives', () => {
    const registry = new RendererRegistry();
    registerBuiltinRenderers(registry);
    const { container } = render(<OutputView output={{ mime_type: 'application/x-shout+json', data: { text: 'HI' } }} registry={registry} />);
    expect(container.textContent).toContain('no renderer');
    act(() => {
      registry.register({
        kind: 'dom', id: 'shout', mimeTypes: ['application/x-shout+json'], rank: 50,
        render: (output, element) => { element.textContent = `loud: ${(output.data as { text: string }).text}`; },
      });
    });
    expect(container.querySelector('[data-renderer="shout"]')?.textContent).toBe('loud: HI');
    expect(container.textContent).not.toContain('no renderer');
  });

  it('shows the data as text when a plugin renderer throws', () => {
    const registry = new RendererRegistry();
    registerBuiltinRenderers(registry);
    registry.register({ kind: 'dom', id: 'buggy', mimeTypes: ['application/x-bug'], rank: 50, render: () => { throw new Error('kaboom'); } });
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const { container } = render(<OutputView output={{ mime_type: 'application/x-bug', data: 'payload' }} registry={registry} />);
    spy.mockRestore();
    expect(container.textContent).toContain('The renderer buggy failed: kaboom');
    expect(container.textContent).toContain('payload');
  });
});

describe('table renderer', () => {
  const rows = Array.from({ length: 23 }, (_, i) => [i, `name ${i}`, i % 3 === 0 ? null : i * 1.5]);
  const table = { type: 'table', columns: ['id', 'name', 'score'], rows, truncated: 'Showing the first 23 of 5000 rows' };
  const bodyRows = (): string[][] =>
    [...document.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''));

  it('paginates, ten rows a page, and shows the truncation note', () => {
    show({ mime_type: TABLE_MIME, data: table });
    expect(bodyRows()).toHaveLength(10);
    expect(screen.getByText(/Rows 1–10 of 23/)).toBeTruthy();
    expect(screen.getByRole('note').textContent).toBe('Preview: showing the first 23 of 5000 rows — sorting and filtering apply to these rows only.');
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(bodyRows().map((r) => r[0])).toEqual(['20', '21', '22']);
    expect(screen.getByText('Page 3 of 3')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Next page' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('sorts numerically on a header click, descending on the second, nulls always last', () => {
    show({ mime_type: TABLE_MIME, data: table });
    fireEvent.change(screen.getByLabelText('Rows per page'), { target: { value: '50' } });
    const header = screen.getByRole('button', { name: /score/ });
    fireEvent.click(header);
    expect(header.closest('th')!.getAttribute('aria-sort')).toBe('ascending');
    let scores = bodyRows().map((r) => r[2]);
    expect(scores.slice(0, 3)).toEqual(['1.5', '3', '6']);
    expect(scores.slice(-1)).toEqual(['null']);
    fireEvent.click(header);
    expect(header.closest('th')!.getAttribute('aria-sort')).toBe('descending');
    scores = bodyRows().map((r) => r[2]);
    expect(scores[0]).toBe('33');
    expect(scores.slice(-1)).toEqual(['null']);
    fireEvent.click(header);
    expect(header.closest('th')!.getAttribute('aria-sort')).toBe('none');
    expect(bodyRows()[0]![0]).toBe('0');
  });

  it('sorts text with numbers in it naturally ("name 2" before "name 10")', () => {
    show({ mime_type: TABLE_MIME, data: table });
    fireEvent.change(screen.getByLabelText('Rows per page'), { target: { value: '50' } });
    fireEvent.click(screen.getByRole('button', { name: /name/ }));
    expect(bodyRows().slice(0, 4).map((r) => r[1])).toEqual(['name 0', 'name 1', 'name 2', 'name 3']);
  });

  it('says plainly before the rows that a cut table is a preview', () => {
    show({ mime_type: TABLE_MIME, data: { ...table, truncated: 'Showing the first 10,000 of 1,000,000 rows.' } });
    const note = screen.getByRole('note');
    expect(note.textContent).toBe('Preview: showing the first 10,000 of 1,000,000 rows — sorting and filtering apply to these rows only.');
    // Before the table, not under a footer nobody reads.
    expect(note.compareDocumentPosition(document.querySelector('table')!) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    cleanup();
    show({ mime_type: TABLE_MIME, data: { type: 'table', columns: ['a'], rows: [[1]] } });
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('filters every row it holds, not the page shown, and sorts what matches', () => {
    const many = { type: 'table', columns: ['n', 'label'], rows: Array.from({ length: 3000 }, (_, i) => [i, `row ${i}`]) };
    show({ mime_type: TABLE_MIME, data: many });
    // Ten rows a page: only those are in the DOM.
    expect(bodyRows()).toHaveLength(10);
    fireEvent.change(screen.getByLabelText('Filter rows'), { target: { value: 'ROW 29' } });
    // row 29, row 290…299, row 2900…2999: 111 rows, sorted by n descending on two clicks.
    expect(screen.getByText(/Rows 1–10 of 111 \(filtered from 3,000\)/)).toBeTruthy();
    const header = screen.getByRole('button', { name: /^n/ });
    fireEvent.click(header);
    fireEvent.click(header);
    expect(bodyRows().slice(0, 2).map((r) => r[0])).toEqual(['2999', '2998']);
    fireEvent.change(screen.getByLabelText('Filter rows'), { target: { value: 'nothing like it' } });
    expect(screen.getByText(/No rows match the filter/)).toBeTruthy();
  });

  it('sorts all 3,000 rows: the largest value comes first however the rows arrived', () => {
    const shuffled = Array.from({ length: 3000 }, (_, i) => [(i * 7919) % 3000]);
    show({ mime_type: TABLE_MIME, data: { type: 'table', columns: ['v'], rows: shuffled } });
    const header = screen.getByRole('button', { name: /^v/ });
    fireEvent.click(header);
    fireEvent.click(header);
    expect(bodyRows().slice(0, 3).map((r) => r[0])).toEqual(['2999', '2998', '2997']);
  });

  it('shows NaN and the infinities apart from text and null, and sorts them as numbers (issue 19 item 8)', () => {
    show({ mime_type: TABLE_MIME, data: { type: 'table', columns: ['v'], rows: [[2], ['NaN'], ['-Infinity'], [null], ['Infinity'], [1]] } });
    const nan = screen.getByText('NaN');
    expect(nan.className).toBe('table__nonfinite');
    expect(nan.getAttribute('title')).toBe('not a number');
    expect(screen.getByText('null').className).toBe('table__null');
    fireEvent.click(screen.getByRole('button', { name: /^v/ }));
    expect(bodyRows().map((r) => r[0])).toEqual(['-Infinity', '1', '2', 'Infinity', 'NaN', 'null']);
  });

  it("shows each column's type, nulls and range or top values under its name, from the runtime's summary of all rows", () => {
    const column_stats: JsonValue = [
      { type: 'int64', nulls: 0, min: 0, max: 4999 },
      { type: 'object', nulls: 0, distinct: 5000, top: [['name 7', 3], ['name 1', 1]] },
      { type: 'float64', nulls: 1667, min: 1.5, max: 7497 },
    ];
    show({ mime_type: TABLE_MIME, data: table, metadata: { column_stats } });
    const headers = [...document.querySelectorAll('thead th')];
    const summaries = headers.map((th) => [...th.querySelectorAll('.table__stats-line')].map((line) => line.textContent));
    expect(summaries).toEqual([['int64', '0 – 4,999'], ['object', 'name 7 3 · name 1 1'], ['float64 · 1,667 nulls', '1.5 – 7,497']]);
    expect(headers[1]!.querySelector('.table__stats')!.getAttribute('title')).toBe('object · 0 nulls · top: name 7 (3), name 1 (1) · 5,000 distinct');
    // The sort buttons keep their names: the summary is beside them, not inside.
    expect(screen.getByTitle('Sort by score').textContent).toBe('score↕');
  });

  it("says how many values a column of distinct values has instead of their counts of 1 (a describe() index)", () => {
    const column_stats: JsonValue = [
      { type: 'int64', min: 0, max: 4999 },
      { type: 'object', nulls: 0, distinct: 8, top: [['count', 1], ['mean', 1], ['std', 1]] },
      { type: 'float64', min: 1.5, max: 7497 },
    ];
    show({ mime_type: TABLE_MIME, data: table, metadata: { column_stats } });
    const lines = [...document.querySelectorAll('thead th')[1]!.querySelectorAll('.table__stats-line')].map((line) => line.textContent);
    expect(lines).toEqual(['object', '8 distinct']);
  });

  it('shows fractions to 6 decimal places as pandas does, the exact value as the tooltip, and sorts by the exact values', () => {
    show({ mime_type: TABLE_MIME, data: { type: 'table', columns: ['y'], rows: [[0.19866933079506122], [0.1986693], [24.5], [3]] } });
    expect(bodyRows().map((r) => r[0])).toEqual(['0.198669', '0.198669', '24.5', '3']);
    expect(screen.getAllByText('0.198669')[0]!.getAttribute('title')).toBe('0.19866933079506122');
    expect(screen.getByText('24.5').getAttribute('title')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: /^y/ }));
    expect(bodyRows().map((r) => r[0])).toEqual(['0.198669', '0.198669', '3', '24.5']);
    expect(document.querySelectorAll('tbody td span[title]')[0]!.getAttribute('title')).toBe('0.1986693');
  });

  it('shows no summaries when the metadata does not fit the columns', () => {
    show({ mime_type: TABLE_MIME, data: table, metadata: { column_stats: [{ type: 'int64' }] } });
    expect(document.querySelector('.table__stats')).toBeNull();
  });

  it('says so when a table has no rows', () => {
    show({ mime_type: TABLE_MIME, data: { type: 'table', columns: ['a'], rows: [] } });
    expect(screen.getByText(/No rows/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Next page' })).toBeNull();
  });

  it('shows malformed table data as data instead of failing', () => {
    show({ mime_type: TABLE_MIME, data: { columns: 'nope' } });
    expect(screen.getByRole('tree', { name: 'Malformed table output' })).toBeTruthy();
  });
});

describe('long text', () => {
  const lines = (n: number, from = 0): string => Array.from({ length: n }, (_, i) => `line ${i + from}\n`).join('');
  const stdoutBox = (): HTMLElement => screen.getByLabelText('Standard output');

  it('keeps only the last 1,000 of 20,000 printed lines in the page until "Show all"', () => {
    render(<TextOutput text={lines(20_000)} stream="stdout" />);
    expect(stdoutBox().textContent).toBe(lines(1000, 19_000));
    expect(stdoutBox().className).toContain('output--scroll');
    expect(screen.getByText('Showing the last 1,000 of 20,000 lines')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Show all' }));
    // All of it, windowed: a scroll space for 20,000 lines and only the lines in view (from the top here: jsdom has no layout).
    expect(stdoutBox().getAttribute('data-lines')).toBe('20000');
    expect((stdoutBox().querySelector('.text-window__space') as HTMLElement).style.height).toBe(`${20_000 * TEXT_LINE_HEIGHT}px`);
    expect(stdoutBox().textContent).toBe(lines(textWindow(20_000, 0, 480).end));
    expect(textWindow(20_000, 0, 480).end).toBeLessThan(200);
    expect(screen.getByText('20,000 lines')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy all' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Show less' }));
    expect(stdoutBox().textContent).toBe(lines(1000, 19_000));
    expect(screen.getByRole('button', { name: 'Download' })).toBeTruthy();
  });

  it('keeps the start of a long value\'s text, and cuts a single huge line by characters', () => {
    render(<TextOutput text={lines(5000)} />);
    expect(screen.getByLabelText('Text output').textContent).toBe(lines(1000));
    cleanup();
    const oneLine = 'x'.repeat(PREVIEW_CHARS * 2);
    render(<TextOutput text={oneLine} stream="stdout" />);
    expect(stdoutBox().textContent).toHaveLength(PREVIEW_CHARS);
    expect(screen.getByText(`Showing the last ${PREVIEW_CHARS.toLocaleString('en-US')} characters`)).toBeTruthy();
  });

  it('windows a long text: line starts, the lines drawn for a scroll position, and positions scaled past the tallest space', () => {
    expect(Array.from(lineStarts('a\nbb\nc\n'))).toEqual([0, 2, 5]);
    expect(Array.from(lineStarts('a\n\nc'))).toEqual([0, 2, 3]);
    expect(lineStarts('').length).toBe(0);
    // 200,000 lines fit unscaled: the line at the scroll position is drawn where it belongs.
    const middle = textWindow(200_000, 100_000 * TEXT_LINE_HEIGHT, 480);
    expect(middle.first).toBeLessThanOrEqual(100_000);
    expect(middle.end).toBeGreaterThan(100_000 + 480 / TEXT_LINE_HEIGHT);
    expect(middle.top).toBe(middle.first * TEXT_LINE_HEIGHT);
    // 5,000,000 lines would be 90,000,000 px: scaled, the end of the scroll space draws the last lines.
    const space = 16_000_000;
    const end = textWindow(5_000_000, space - 480, 480);
    expect(end.end).toBe(5_000_000);
    expect(end.top + (end.end - end.first) * TEXT_LINE_HEIGHT).toBeLessThanOrEqual(space);
    expect(textWindow(5_000_000, 0, 480).first).toBe(0);
  });

  it('shows short output as it is, without a toolbar', () => {
    render(<TextOutput text={'one\ntwo\n'} stream="stdout" />);
    expect(stdoutBox().textContent).toBe('one\ntwo\n');
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('shows stderr apart from stdout, tinted, and nothing for a cell stored without stderr', () => {
    render(<TextOutput text={'UserWarning: careful\n'} stream="stderr" />);
    const box = screen.getByLabelText('Standard error');
    expect(box.className).toContain('output--stderr');
    expect(box.textContent).toBe('UserWarning: careful\n');
    expect(stderrOf({ stdout: 'x' })).toBe('');
    expect(stderrOf({ stdout: 'x', stderr: 'warned' })).toBe('warned');
  });

  it('counts lines with or without a final newline', () => {
    expect([countLines(''), countLines('a'), countLines('a\n'), countLines('a\nb'), countLines('\n\n')]).toEqual([0, 1, 1, 2, 2]);
    const tail = previewText(lines(PREVIEW_LINES + 1), 'tail');
    expect(tail).toMatchObject({ cut: true, shownLines: PREVIEW_LINES, totalLines: PREVIEW_LINES + 1 });
    expect(tail.text.startsWith('line 1\n')).toBe(true);
  });
});

describe('error renderer', () => {
  const traceback = [
    'Traceback (most recent call last):',
    '  File "/lib/python314.zip/_pyodide/_base.py", line 597, in eval_code_async',
    '    await CodeRunner(',
    '  File "<cell 2>", line 3, in <module>',
    '    print(undefined_name)',
    '          ^^^^^^^^^^^^^^',
    "NameError: name 'undefined_name' is not defined",
  ].join('\n');

  it('leads with the exception line and hides the runtime\'s own frames', () => {
    const parsed = parseError(traceback);
    expect(parsed.summary).toBe("NameError: name 'undefined_name' is not defined");
    expect(parsed.frames).toEqual(['  File "<cell 2>", line 3, in <module>\n    print(undefined_name)\n          ^^^^^^^^^^^^^^']);
    expect(parsed.internal).toBe(1);
  });

  it('renders the summary as an alert with the user frames and the full text on demand', () => {
    render(<ErrorOutput error={`\u001b[31m${traceback}\u001b[0m`} />);
    expect(screen.getByRole('alert').querySelector('.error__summary')!.textContent).toBe("NameError: name 'undefined_name' is not defined");
    expect(screen.getByText(/1 frame in your code, 1 internal hidden/)).toBeTruthy();
    expect(screen.getByText(/print\(undefined_name\)/, { selector: '.error__frame' })).toBeTruthy();
    expect(screen.getByText('Full traceback')).toBeTruthy();
  });

  it('names cells by position instead of id in the frames', () => {
    const text = 'Traceback (most recent call last):\n  File "<cell abc-1>", line 1, in <module>\n  File "<cell def-2>", line 2, in f\nValueError: x';
    render(<ErrorOutput error={text} cellId="abc-1" positionOf={(id) => (id === 'def-2' ? 0 : -1)} />);
    const frames = [...document.querySelectorAll('.error__frame')].map((f) => f.textContent);
    expect(frames).toEqual(['  File "<this cell>", line 1, in <module>', '  File "<cell 1>", line 2, in f']);
  });

  it('shows a message that is not a traceback as it is', () => {
    const parsed = parseError('Cycle: cells 1 and 2 depend on each other');
    expect(parsed.isTraceback).toBe(false);
    expect(parsed.summary).toBe('Cycle: cells 1 and 2 depend on each other');
  });
});
