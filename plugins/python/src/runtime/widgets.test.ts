/**
 * `from rnb import ui` in real Pyodide: every widget kind's output, value
 * semantics and argument checks, the runtime call that sets a value (and
 * answers the names bound to the widget), and values kept across re-runs and
 * restored from what the notebook stored.
 */
import type { JsonValue, WidgetData } from '@rnb/core';
import { FakeKernel, PYODIDE_START_TIMEOUT_MS } from './testing/fake-kernel';

let kernel: FakeKernel;

beforeAll(async () => {
  kernel = await FakeKernel.start();
}, PYODIDE_START_TIMEOUT_MS);

afterAll(async () => {
  await kernel?.close();
});

const WIDGET = 'application/vnd.rnb.widget+json';

/** Runs a cell whose last expression is a widget; answers its model. */
async function make(id: string, code: string, meta?: { [key: string]: JsonValue }): Promise<WidgetData> {
  const result = await kernel.run({ id, code, defines: ['w'], ...(meta ? { meta } : {}) });
  expect(result.error).toBeNull();
  expect(result.outputs).toHaveLength(1);
  expect(result.outputs[0]!.mime_type).toBe(WIDGET);
  return result.outputs[0]!.data as unknown as WidgetData;
}

/** `w.value` as Python sees it, as repr. */
async function pyValue(): Promise<string> {
  const result = await kernel.run({ code: 'print(repr(w.value), end="")', references: ['w'] });
  expect(result.error).toBeNull();
  return result.stdout;
}

function set(widgetId: string, value: JsonValue): Promise<JsonValue> {
  return kernel.call('set_widget_value', { widget_id: widgetId, value });
}

describe('widget outputs and values', () => {
  it('a slider shows as a widget output with a stable id; another cell reads .value; a set value is answered with the names bound to it', async () => {
    const data = await make('s1', 'from rnb import ui\nw = ui.slider(0, 100, value=10, label="Threshold")\nw');
    expect(data).toEqual({ widget_id: 's1:0', kind: 'slider', value: 10, props: { start: 0, stop: 100, step: 1, label: 'Threshold' } });
    expect(await pyValue()).toBe('10');
    expect(await set('s1:0', 42)).toEqual({ value: 42, props: data.props, kind: 'slider', names: ['w'] });
    expect(await pyValue()).toBe('42');
    // Snapped to the step, integral when the bounds and step are.
    expect(await set('s1:0', 42.6)).toMatchObject({ value: 43 });
    await expect(set('s1:0', 200)).rejects.toThrow('slider value 200 is outside 0..100');
    await expect(set('s1:0', 'high')).rejects.toThrow("slider value must be a finite number, not 'high'");
    expect(await set('nope:0', 1)).toEqual({ missing: true });
  });

  it('re-running the defining cell keeps the value; changed arguments reset it', async () => {
    await make('s2', 'from rnb import ui\nw = ui.slider(0, 10)\nw');
    await set('s2:0', 7);
    expect((await make('s2', 'from rnb import ui\nw = ui.slider(0, 10)\nw')).value).toBe(7);
    expect((await make('s2', 'from rnb import ui\nw = ui.slider(0, 20)\nw')).value).toBe(0);
  });

  it('a new kernel takes the value the notebook stored (meta.widgets) when the arguments match', async () => {
    const props = { start: 0, stop: 10, step: 1, label: '' };
    expect((await make('fresh', 'from rnb import ui\nw = ui.slider(0, 10)\nw', { widgets: { 'fresh:0': { value: 4, props } } })).value).toBe(4);
    expect((await make('fresh2', 'from rnb import ui\nw = ui.slider(0, 10)\nw', { widgets: { 'fresh2:0': { value: 4, props: { ...props, stop: 9 } } } })).value).toBe(0);
    // A stored value the widget no longer accepts is dropped for the default.
    expect((await make('fresh3', 'from rnb import ui\nw = ui.slider(0, 10)\nw', { widgets: { 'fresh3:0': { value: 99, props } } })).value).toBe(0);
  });

  it('ids count widgets in creation order within their cell; names holding a widget in a list or dict are readers too', async () => {
    const result = await kernel.run({ id: 'many', code: 'from rnb import ui\na = ui.checkbox()\nb = ui.switch(value=True)\nboth = [a, b]\nby = {"b": b}', defines: ['a', 'b', 'both', 'by'] });
    expect(result.error).toBeNull();
    expect(await set('many:1', false)).toMatchObject({ names: ['b', 'both', 'by'] });
    await expect(set('many:0', 1)).rejects.toThrow('checkbox value must be true or false, not 1');
  });

  it('range_slider is a (low, high) pair', async () => {
    const data = await make('r', 'from rnb import ui\nw = ui.range_slider(0, 1, step=0.25, value=(0.25, 0.5))\nw');
    expect(data.value).toEqual([0.25, 0.5]);
    expect(await pyValue()).toBe('(0.25, 0.5)');
    await set('r:0', [0, 1]);
    expect(await pyValue()).toBe('(0.0, 1.0)');
    await expect(set('r:0', [1, 0])).rejects.toThrow('range_slider low 1.0 is above high 0.0');
    await expect(set('r:0', [0])).rejects.toThrow('range_slider value must be a pair [low, high]');
  });

  it('number respects its bounds', async () => {
    expect((await make('n', 'from rnb import ui\nw = ui.number(1, 5)\nw')).value).toBe(1);
    await set('n:0', 2.5);
    expect(await pyValue()).toBe('2.5');
    await expect(set('n:0', 6)).rejects.toThrow('number value 6 is outside 1..5');
  });

  it('text and text_area hold strings, up to max_length', async () => {
    expect((await make('t', 'from rnb import ui\nw = ui.text(placeholder="name", max_length=5)\nw')).props).toMatchObject({ placeholder: 'name', max_length: 5 });
    await set('t:0', 'Ada');
    expect(await pyValue()).toBe("'Ada'");
    await expect(set('t:0', 'Adalbert')).rejects.toThrow('text value has 8 characters; at most 5');
    expect((await make('ta', 'from rnb import ui\nw = ui.text_area(value="a\\nb")\nw')).kind).toBe('text_area');
    await expect(set('ta:0', 3)).rejects.toThrow('text_area value must be a string, not int');
  });

  it('dropdown, radio and multiselect choose among labels; .value is the option\'s value', async () => {
    const data = await make('d', 'from rnb import ui\nw = ui.dropdown({"One": 1, "Two": 2}, value=2)\nw');
    expect(data).toMatchObject({ kind: 'dropdown', value: 'Two', props: { options: ['One', 'Two'] } });
    expect(await pyValue()).toBe('2');
    await set('d:0', 'One');
    expect(await pyValue()).toBe('1');
    await expect(set('d:0', 'Three')).rejects.toThrow("dropdown value must be one of ['One', 'Two'], not 'Three'");
    expect((await make('ra', 'from rnb import ui\nw = ui.radio(["a", "b"])\nw')).value).toBeNull();
    await set('ra:0', 'b');
    expect(await pyValue()).toBe("'b'");
    expect((await make('m', 'from rnb import ui\nw = ui.multiselect(["x", "y", "z"], value=["z"])\nw')).value).toEqual(['z']);
    expect(await set('m:0', ['z', 'x'])).toMatchObject({ value: ['x', 'z'] });
    expect(await pyValue()).toBe("['x', 'z']");
    await expect(set('m:0', ['x', 'x'])).rejects.toThrow('multiselect value lists an option twice');
  });

  it('date is an ISO day on the wire and a datetime.date in Python', async () => {
    const data = await make('dt', 'import datetime\nfrom rnb import ui\nw = ui.date(value=datetime.date(2024, 3, 1), start="2024-01-01", stop="2024-12-31")\nw');
    expect(data).toMatchObject({ value: '2024-03-01', props: { start: '2024-01-01', stop: '2024-12-31' } });
    await set('dt:0', '2024-05-02');
    expect(await pyValue()).toBe('datetime.date(2024, 5, 2)');
    await expect(set('dt:0', '2025-01-01')).rejects.toThrow('date 2025-01-01 is outside 2024-01-01..2024-12-31');
    await expect(set('dt:0', 'May')).rejects.toThrow("date value must be a date (datetime.date or 'YYYY-MM-DD'), not 'May'");
  });

  it('button counts clicks, or folds them through on_click', async () => {
    expect((await make('b', 'from rnb import ui\nw = ui.button("Add")\nw')).value).toBe(0);
    await set('b:0', 2);
    expect(await pyValue()).toBe('2');
    await expect(set('b:0', -1)).rejects.toThrow('button value is a click count');
    await make('bc', 'from rnb import ui\nw = ui.button("Double", on_click=lambda v: v * 2, value=1)\nw');
    await set('bc:0', 1);
    await set('bc:0', 3);
    expect(await pyValue()).toBe('8');
  });

  it('file holds the uploaded bytes, refusing more than max_size with a clear error', async () => {
    const data = await make('f', 'from rnb import ui\nw = ui.file(accept=".txt", max_size=8)\nw');
    expect(data).toMatchObject({ value: [], props: { accept: '.txt', multiple: false, max_size: 8 } });
    await set('f:0', [{ name: 'a.txt', type: 'text/plain', size: 5, data: Buffer.from('hello').toString('base64') }]);
    expect(await pyValue()).toBe("[{'name': 'a.txt', 'type': 'text/plain', 'size': 5, 'contents': b'hello'}]");
    await expect(set('f:0', [{ name: 'big.txt', type: 'text/plain', size: 9, data: Buffer.from('123456789').toString('base64') }])).rejects.toThrow('big.txt has 9 bytes; this upload takes at most 8');
    await expect(set('f:0', [{ name: 'x', data: '%%%' }])).rejects.toThrow('x: data is not base64');
    const tooBig = await kernel.run('from rnb import ui\nui.file(max_size=10_000_000)');
    expect(tooBig.error?.message).toMatch(/max_size is a number of bytes between 1 and 35840/);
  });

  it('table selects rows; .value is the selected rows', async () => {
    const data = await make('tb', 'from rnb import ui\nw = ui.table([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}, {"a": 3, "b": "z"}])\nw');
    expect(data).toMatchObject({ kind: 'table', value: [], props: { columns: ['a', 'b'], rows: [[1, 'x'], [2, 'y'], [3, 'z']], selection: 'multi' } });
    await set('tb:0', [2, 0]);
    expect(await pyValue()).toBe("[{'a': 1, 'b': 'x'}, {'a': 3, 'b': 'z'}]");
    await expect(set('tb:0', [3])).rejects.toThrow('table row index out of range 0..2');
    await make('tb1', 'from rnb import ui\nw = ui.table([{"a": 1}, {"a": 2}], selection="single")\nw');
    await expect(set('tb1:0', [0, 1])).rejects.toThrow('this table selects one row');
  });

  it('refuses bad arguments with clear errors', async () => {
    const cases: [string, RegExp][] = [
      ['ui.slider(10, 0)', /stop \(0\) must be greater than start \(10\)/],
      ['ui.slider(0, 10, step=0)', /step must be positive, not 0/],
      ['ui.slider(0, 10, value=11)', /slider value 11 is outside 0..10/],
      ['ui.slider("a", 10)', /start must be a finite number/],
      ['ui.dropdown([])', /options must not be empty/],
      ['ui.dropdown(["a", "a"])', /option labels must be distinct/],
      ['ui.dropdown(["a"], value="b")', /'b' is not one of the options \['a'\]/],
      ['ui.multiselect(5)', /options must be a list or a dict/],
      ['ui.checkbox(value="yes")', /checkbox value must be true or false/],
      ['ui.text(max_length=-1)', /max_length must be a non-negative integer/],
      ['ui.date(value="soon")', /value must be a date/],
      ['ui.button(on_click=3)', /on_click must be callable/],
      ['ui.table(42)', /ui.table takes a list of dicts or a pandas DataFrame/],
      ['ui.slider(0, 1, label=3)', /label must be a string, not int/],
    ];
    for (const [call, message] of cases) {
      const result = await kernel.run(`from rnb import ui\n${call}`);
      expect(result.error?.message).toMatch(message);
    }
  });

  it('other languages read a widget as { $rnbWidget: WidgetData }', async () => {
    await kernel.run({ id: 'js', code: 'from rnb import ui\nw = ui.checkbox(value=True, label="On")', defines: ['w'] });
    expect(await kernel.read('w')).toEqual({ $rnbWidget: { widget_id: 'js:0', kind: 'checkbox', value: true, props: { label: 'On' } } });
    // Read again after a set, not from the first conversion.
    await set('js:0', false);
    expect(await kernel.read('w')).toMatchObject({ $rnbWidget: { value: false } });
  });
});
