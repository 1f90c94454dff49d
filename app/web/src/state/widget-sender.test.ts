import type { JsonValue, WidgetValueAnswer } from '../api/types';
import { WidgetSender } from './widget-sender';

/** A host whose answers the test releases one by one. */
function slowHost() {
  const sent: JsonValue[] = [];
  const pending: ((answer: WidgetValueAnswer) => void)[] = [];
  const failures: ((error: Error) => void)[] = [];
  const send = (_id: string, value: JsonValue) => {
    sent.push(value);
    return new Promise<WidgetValueAnswer>((resolve, reject) => {
      pending.push(resolve);
      failures.push(reject);
    });
  };
  const answer = async (value: JsonValue) => {
    pending.shift()!({ value, names: ['x'] });
    failures.shift();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { sent, send, answer, fail: async (message: string) => { pending.shift(); failures.shift()!(new Error(message)); await new Promise((r) => setTimeout(r, 0)); } };
}

describe('WidgetSender', () => {
  it('keeps one value in flight per widget and sends only the latest of those set meanwhile', async () => {
    const host = slowHost();
    const sender = new WidgetSender(host.send);
    const first = sender.set('w:0', 1);
    const skipped = [sender.set('w:0', 2), sender.set('w:0', 3)];
    const last = sender.set('w:0', 4);
    expect(host.sent).toEqual([1]);
    expect(sender.busy('w:0')).toBe(true);
    await host.answer(1);
    expect(await first).toEqual({ value: 1, names: ['x'] });
    expect(await Promise.all(skipped)).toEqual([null, null]);
    expect(host.sent).toEqual([1, 4]);
    await host.answer(4);
    expect(await last).toEqual({ value: 4, names: ['x'] });
    expect(sender.busy('w:0')).toBe(false);
  });

  it('sends different widgets independently', () => {
    const host = slowHost();
    const sender = new WidgetSender(host.send);
    void sender.set('a:0', 'a');
    void sender.set('b:0', 'b');
    expect(host.sent).toEqual(['a', 'b']);
  });

  it('rejects with the host refusal and goes on with the next value', async () => {
    const host = slowHost();
    const sender = new WidgetSender(host.send);
    const refused = sender.set('w:0', 200);
    const next = sender.set('w:0', 5);
    await host.fail('slider value 200 is outside 0..100');
    await expect(refused).rejects.toThrow('slider value 200 is outside 0..100');
    expect(host.sent).toEqual([200, 5]);
    await host.answer(5);
    expect(await next).toMatchObject({ value: 5 });
  });
});
