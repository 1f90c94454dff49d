/**
 * `from rnb import ui` on the native runtime (CPython in bubblewrap), through core's notebook
 * service and kernel: the same widget code as in Pyodide, the value set through the runtime
 * channel, the readers re-run, the value re-applied on a restarted kernel.
 */
import { describeNativeKernel } from './testing/native-kernel';

const owner = 'pat';

describeNativeKernel('widgets on the native Python runtime', owner, (native) => {
  it('sets a slider, re-runs its reader (not the defining cell), refuses a bad value, and re-applies the value on a new kernel', async () => {
    const nb = await native.python(['from rnb import ui\nprint("made")\nlevel = ui.slider(0, 10, value=2)\nlevel', 'level.value * 10']);
    await nb.run(0);
    expect((await nb.state()).map((c) => c.text)).toEqual(['[object Object]', '20']);
    const widgetId = `${nb.cellIds[0]}:0`;
    expect(await native.kernel.service.setWidgetValue(owner, nb.notebookId, widgetId, 7)).toEqual({ value: 7, names: ['level'] });
    await native.kernel.service.whenIdle(owner, nb.notebookId);
    let [defining, reader] = await nb.state();
    expect(reader!.text).toBe('70');
    expect(defining!.stdout).toBe('made\n');
    await expect(native.kernel.service.setWidgetValue(owner, nb.notebookId, widgetId, 11)).rejects.toThrow('slider value 11 is outside 0..10');

    await native.kernel.service.restartKernel(owner, nb.notebookId);
    await nb.run(0);
    [defining, reader] = await nb.state();
    expect((await native.kernel.service.getNotebook(owner, nb.notebookId)).cells[0]!.outputs[0]).toMatchObject({ mime_type: 'application/vnd.rnb.widget+json', data: { value: 7 } });
    expect(reader!.text).toBe('70');
  });
});
