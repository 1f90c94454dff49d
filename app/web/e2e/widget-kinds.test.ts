import type { Locator, Page } from 'playwright-core';
import { api, cell, describeInBrowser, openNotebookWithCells, useBrowserHost, waitForCellText, type Host } from './harness';

/**
 * Every kind of widget `rnb.ui` offers beyond the slider, text box, dropdown and checkbox (widgets.test.ts), with
 * real input in Chromium and real Pyodide: keys, clicks and a file chosen in the file input. Each interaction changes
 * what one reader cell prints; a file over the widget's size limit is refused with its reason; after a reload every
 * control shows the value the user set.
 */
jest.setTimeout(240_000);

const DEFINERS = [
  'from rnb import ui\nspan = ui.range_slider(0, 100, value=(20, 80), label="Span")\nspan',
  'count = ui.number(0, 100, value=1, label="Count")\ncount',
  'note = ui.text_area(label="Note")\nnote',
  'tags = ui.multiselect(["red", "green", "blue"], label="Tags")\ntags',
  'dark = ui.switch(label="Dark mode")\ndark',
  'size = ui.radio(["S", "M", "L"], value="M", label="Size")\nsize',
  'day = ui.date(value="2024-01-15", label="Day")\nday',
  'clicks = ui.button(label="Add one")\nclicks',
  'doubler = ui.button(label="Double", on_click=lambda v: v * 2, value=1)\ndoubler',
  'upload = ui.file(max_size=1000, label="Data file")\nupload',
  'people = ui.table([{"name": "Ada"}, {"name": "Alan"}, {"name": "Grace"}], label="People")\npeople',
];
const READER = [
  'print(f"[span={span.value}]", f"[count={count.value}]", f"[note={note.value!r}]", f"[tags={tags.value}]", f"[dark={dark.value}]")',
  'print(f"[size={size.value}]", f"[day={day.value}]", f"[clicks={clicks.value}]", f"[doubled={doubler.value}]")',
  'print(f"[upload={[(f[\'name\'], f[\'size\'], f[\'contents\']) for f in upload.value]}]", f"[people={[p[\'name\'] for p in people.value]}]")',
].join('\n');
const READER_INDEX = DEFINERS.length;

describeInBrowser('every widget kind with real input', () => {
  let host: Host;
  let page: Page;

  // en-US: the date field takes month, day, year in that order.
  useBrowserHost({ viewport: { width: 1366, height: 900 }, context: { locale: 'en-US' } }, (started) => ({ host, page } = started));

  beforeAll(async () => {
    const id = await openNotebookWithCells(page, host, 'E2E widget kinds', [...DEFINERS, READER]);
    await api(host, 'POST', `api/notebooks/${id}/run_all`);
    await waitForCellText(page, READER_INDEX, '[people=[]]', 120_000);
  });

  const shows = (text: string): Promise<void> => waitForCellText(page, READER_INDEX, text);
  const control = (index: number, role: Parameters<Page['getByRole']>[0], name: string): Locator => cell(page, index).getByRole(role, { name, exact: true });

  it('range slider: arrow keys on each thumb move its end', async () => {
    await control(0, 'slider', 'Span: low').focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    await control(0, 'slider', 'Span: high').focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await shows('[span=(25, 78)]');
  });

  it('number: typed over at full speed', async () => {
    await control(1, 'spinbutton', 'Count').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('42');
    await shows('[count=42]');
    await page.keyboard.press('ArrowUp');
    await shows('[count=43]');
  });

  it('text area: typed at full speed, Enter makes a new line (it runs nothing)', async () => {
    await control(2, 'textbox', 'Note').click();
    await page.keyboard.type('first line');
    await page.keyboard.press('Enter');
    await page.keyboard.type('second');
    await shows("[note='first line\\nsecond']");
    expect(await cell(page, READER_INDEX + 1).count()).toBe(0);
  });

  it('multiselect: options checked with the keyboard and the mouse, in the options\' order', async () => {
    await control(3, 'checkbox', 'blue').click();
    await control(3, 'checkbox', 'red').focus();
    await page.keyboard.press('Space');
    await shows("[tags=['red', 'blue']]");
  });

  it('switch: toggled with Space', async () => {
    await control(4, 'switch', 'Dark mode').focus();
    await page.keyboard.press('Space');
    await shows('[dark=True]');
  });

  it('radio: clicked, then moved with an arrow key', async () => {
    await control(5, 'radio', 'S').click();
    await shows('[size=S]');
    await page.keyboard.press('ArrowRight');
    await shows('[size=M]');
    await page.keyboard.press('ArrowRight');
    await shows('[size=L]');
  });

  it('date: month, day and year typed into the field', async () => {
    // Focus lands on the month; each part moves on to the next once it is complete.
    await cell(page, 6).getByLabel('Day', { exact: true }).focus();
    await page.keyboard.type('03202025');
    await shows('[day=2025-03-20]');
  });

  it('buttons: a click counter, and one whose value is its callback\'s result', async () => {
    await control(7, 'button', 'Add one').click();
    await shows('[clicks=1]');
    await control(7, 'button', 'Add one').click();
    await shows('[clicks=2]');
    await control(8, 'button', 'Double').focus();
    await page.keyboard.press('Enter');
    await shows('[doubled=2]');
    await page.keyboard.press('Space');
    await shows('[doubled=4]');
  });

  it('file upload: the bytes reach the kernel; a file over the limit is refused with its reason', async () => {
    const input = cell(page, 9).locator('input[type="file"]');
    await input.setInputFiles({ name: 'small.csv', mimeType: 'text/csv', buffer: Buffer.from('x,y;1,2') });
    await shows("[upload=[('small.csv', 7, b'x,y;1,2')]]");
    await input.setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from('z'.repeat(1500)) });
    await cell(page, 9).getByRole('alert').getByText('big.csv is 1 KB; this upload takes at most 1000 bytes.').waitFor();
    // The kernel kept the file it took.
    await shows("[upload=[('small.csv', 7, b'x,y;1,2')]]");
  });

  it('row selection on a table: rows checked by the mouse and the keyboard', async () => {
    // Clicked again only if the box is not checked: on a loaded machine the graph beside the cells redraws late (a
    // deferred render) and can move the rows under the pointer between Playwright's aim and its click (twice in CI).
    const third = control(10, 'checkbox', 'Select row 3');
    for (let attempt = 0; attempt < 3 && !(await third.isChecked()); attempt++) await third.click();
    await shows("[people=['Grace']]");
    await control(10, 'checkbox', 'Select row 2').focus();
    await page.keyboard.press('Space');
    await shows("[people=['Alan', 'Grace']]");
    expect(await cell(page, 10).locator('tr[aria-selected="true"]').count()).toBe(2);
  });

  it('after a reload every control shows the value the user set', async () => {
    await page.reload();
    await page.waitForSelector('[data-connection="online"]');
    await control(10, 'checkbox', 'Select row 2').waitFor();
    expect(await control(0, 'slider', 'Span: low').inputValue()).toBe('25');
    expect(await control(0, 'slider', 'Span: high').inputValue()).toBe('78');
    expect(await control(1, 'spinbutton', 'Count').inputValue()).toBe('43');
    expect(await control(2, 'textbox', 'Note').inputValue()).toBe('first line\nsecond');
    expect(await control(3, 'checkbox', 'red').isChecked()).toBe(true);
    expect(await control(3, 'checkbox', 'green').isChecked()).toBe(false);
    expect(await control(3, 'checkbox', 'blue').isChecked()).toBe(true);
    expect(await control(4, 'switch', 'Dark mode').isChecked()).toBe(true);
    expect(await control(5, 'radio', 'L').isChecked()).toBe(true);
    expect(await cell(page, 6).getByLabel('Day', { exact: true }).inputValue()).toBe('2025-03-20');
    expect(await cell(page, 9).getByText('small.csv (7 bytes)').count()).toBe(1);
    expect(await control(10, 'checkbox', 'Select row 1').isChecked()).toBe(false);
    expect(await control(10, 'checkbox', 'Select row 2').isChecked()).toBe(true);
    expect(await control(10, 'checkbox', 'Select row 3').isChecked()).toBe(true);
    await shows("[people=['Alan', 'Grace']]");
  });
});
