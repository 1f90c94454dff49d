/** @jest-environment jsdom */
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import type { JsonValue, Output, WidgetData } from '../../api/types';
import { WIDGET_MIME } from '../../api/types';
import { NotebookModel } from '../../state/notebook-model';
import { WidgetChannelProvider, type WidgetChannel } from './widget-channel';
import { WidgetOutput } from './WidgetOutput';

afterEach(cleanup);

function output(kind: string, value: JsonValue, props: WidgetData['props'] = {}): Output {
  return { mime_type: WIDGET_MIME, data: { widget_id: 'c:0', kind, value, props } as unknown as JsonValue };
}

/** Renders one widget with a channel that records what the page sends and answers with the same value. */
function mount(out: Output, answer?: (value: JsonValue) => Promise<JsonValue>) {
  const sent: JsonValue[] = [];
  const channel: WidgetChannel = {
    set: async (_id, value) => {
      sent.push(value);
      return { value: answer ? await answer(value) : value, names: ['w'] };
    },
    busy: () => false,
  };
  const utils = render(
    <WidgetChannelProvider channel={channel}>
      <WidgetOutput output={out} />
    </WidgetChannelProvider>,
  );
  return { sent, ...utils };
}

describe('widget components', () => {
  it('slider: a labelled slider; a change sends the number; the runtime\'s snapped value is shown', async () => {
    const { sent } = mount(output('slider', 10, { start: 0, stop: 100, step: 5, label: 'Threshold' }), async (v) => Math.round(Number(v) / 5) * 5);
    const slider = screen.getByRole('slider', { name: 'Threshold' }) as HTMLInputElement;
    expect([slider.min, slider.max, slider.step, slider.value]).toEqual(['0', '100', '5', '10']);
    await act(async () => {
      fireEvent.change(slider, { target: { value: '45' } });
    });
    expect(sent).toEqual([45]);
    expect(slider.value).toBe('45');
  });

  it('range_slider: two sliders that never cross', async () => {
    const { sent } = mount(output('range_slider', [2, 8], { start: 0, stop: 10, step: 1, label: 'Span' }));
    await act(async () => {
      fireEvent.change(screen.getByRole('slider', { name: 'Span: low' }), { target: { value: '9' } });
    });
    expect(sent).toEqual([[8, 8]]);
  });

  it('number: sends numbers, not a half-typed minus', async () => {
    const { sent } = mount(output('number', 1, { start: null, stop: null, step: null, label: 'Count' }));
    const box = screen.getByLabelText('Count');
    await act(async () => {
      fireEvent.change(box, { target: { value: '' } });
      fireEvent.change(box, { target: { value: '12' } });
    });
    expect(sent).toEqual([12]);
  });

  it('text, text_area and date send what is typed or picked', async () => {
    const text = mount(output('text', '', { placeholder: 'name', max_length: 10, label: 'Name' }));
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Ada' } });
    });
    expect(text.sent).toEqual(['Ada']);
    cleanup();
    const area = mount(output('text_area', '', { placeholder: '', max_length: null, label: 'Notes' }));
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Notes'), { target: { value: 'a\nb' } });
    });
    expect(area.sent).toEqual(['a\nb']);
    cleanup();
    const day = mount(output('date', '2024-03-01', { start: '2024-01-01', stop: null, label: 'Day' }));
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Day'), { target: { value: '2024-05-02' } });
    });
    expect(day.sent).toEqual(['2024-05-02']);
  });

  it('dropdown, radio and multiselect send option labels', async () => {
    const dropdown = mount(output('dropdown', 'One', { options: ['One', 'Two'], label: 'Pick' }));
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Pick'), { target: { value: 'Two' } });
    });
    expect(dropdown.sent).toEqual(['Two']);
    cleanup();
    const radio = mount(output('radio', null, { options: ['a', 'b'], label: 'Mode' }));
    await act(async () => {
      fireEvent.click(within(screen.getByRole('group', { name: 'Mode' })).getByLabelText('b'));
    });
    expect(radio.sent).toEqual(['b']);
    cleanup();
    const multi = mount(output('multiselect', ['z'], { options: ['x', 'y', 'z'], label: 'Some' }));
    await act(async () => {
      fireEvent.click(screen.getByLabelText('x'));
    });
    expect(multi.sent).toEqual([['x', 'z']]);
  });

  it('checkbox and switch send booleans; the switch has the switch role', async () => {
    const box = mount(output('checkbox', false, { label: 'On' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('checkbox', { name: 'On' }));
    });
    expect(box.sent).toEqual([true]);
    cleanup();
    const toggle = mount(output('switch', true, { label: 'Live' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('switch', { name: 'Live' }));
    });
    expect(toggle.sent).toEqual([false]);
  });

  it('button sends the click count plus one', async () => {
    const { sent } = mount(output('button', 2, { label: 'Add' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    });
    expect(sent).toEqual([3]);
  });

  it('file refuses a file over max_size before reading it, with a clear message', async () => {
    const { sent } = mount(output('file', [], { accept: null, multiple: false, max_size: 4, label: 'Upload' }));
    const big = new File(['123456'], 'big.txt', { type: 'text/plain' });
    await act(async () => {
      fireEvent.change(screen.getByLabelText('Upload'), { target: { files: [big] } });
    });
    expect(screen.getByRole('alert').textContent).toBe('big.txt is 6 bytes; this upload takes at most 4 bytes.');
    expect(sent).toEqual([]);
  });

  it('table sends the selected row indices', async () => {
    const { sent } = mount(output('table', [1], { columns: ['a'], rows: [[10], [20], [30]], selection: 'multi', label: '' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('checkbox', { name: 'Select row 1' }));
    });
    expect(sent).toEqual([[0, 1]]);
  });

  it('shows the host\'s refusal under the control and goes back to the notebook\'s value', async () => {
    mount(output('slider', 10, { start: 0, stop: 100, step: 1, label: 'T' }), async () => {
      throw new Error('slider value 200 is outside 0..100');
    });
    const slider = screen.getByRole('slider', { name: 'T' }) as HTMLInputElement;
    await act(async () => {
      fireEvent.change(slider, { target: { value: '50' } });
    });
    expect(screen.getByRole('alert').textContent).toBe('slider value 200 is outside 0..100');
    expect(slider.value).toBe('10');
  });

  it('without a channel (a static view) the control is disabled; an unknown kind shows its model', () => {
    render(<WidgetOutput output={output('slider', 3, { start: 0, stop: 5, step: 1, label: 'S' })} />);
    expect((screen.getByRole('slider', { name: 'S' }) as HTMLInputElement).disabled).toBe(true);
    cleanup();
    render(<WidgetOutput output={output('color_wheel', '#fff')} />);
    expect(screen.getByText(/color_wheel/)).toBeTruthy();
  });
});

describe('a widget mounted in a React root of its own (a DOM renderer embedding it)', () => {
  it('reaches the open notebook\'s channel', async () => {
    const sent: JsonValue[] = [];
    const channel: WidgetChannel = { set: async (_id, value) => (sent.push(value), { value, names: [] }), busy: () => false };
    render(<WidgetChannelProvider channel={channel}><span /></WidgetChannelProvider>);
    const element = document.createElement('div');
    document.body.appendChild(element);
    const { createRoot } = await import('react-dom/client');
    const root = createRoot(element);
    await act(async () => root.render(<WidgetOutput output={output('checkbox', false, { label: 'Embedded' })} />));
    await act(async () => {
      fireEvent.click(within(element).getByRole('checkbox', { name: 'Embedded' }));
    });
    expect(sent).toEqual([true]);
    act(() => root.unmount());
  });
});

describe('widget_value in the page model', () => {
  it('moves every copy of the widget: widget outputs and markdown outputs embedding it', () => {
    const embedded: Output = { mime_type: 'text/markdown', data: 'x <rnb-widget id="c:0"></rnb-widget>', metadata: { widgets: { 'c:0': { widget_id: 'c:0', kind: 'slider', value: 1, props: {} } } } };
    const model = new NotebookModel({
      id: 'nb',
      name: 'N',
      revision: 1,
      cells: [
        { id: 'c', type: 'python', code: '', status: 'success', stdout: '', stderr: '', outputs: [output('slider', 1)], error: null, reads: [], writes: ['w'] },
        { id: 'm', type: 'markdown', code: '', status: 'success', stdout: '', stderr: '', outputs: [embedded], error: null, reads: ['w'], writes: [] },
      ],
    });
    const other = model.getCell('c');
    model.apply({ type: 'widget_value', cellId: 'c', widget_id: 'c:0', value: 9 });
    expect((model.getCell('c')!.outputs[0]!.data as unknown as WidgetData).value).toBe(9);
    expect(model.getCell('c')).not.toBe(other);
    expect(((model.getCell('m')!.outputs[0]!.metadata!.widgets as unknown as Record<string, WidgetData>)['c:0'])!.value).toBe(9);
  });
});
