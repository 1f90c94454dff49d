/**
 * `set_widget_value`'s retry (widget-values.ts): a first move whose runtime call finds the runtime busy with a cell, or
 * runs past its time budget on a loaded machine, is asked again once the notebook is idle, a few times at most; other
 * refusals go back to the page at once. Against an in-memory session: the runtime's answers are scripted, and "idle"
 * is a promise the test resolves, so no test sleeps.
 */
import { NotebookError, type CoreErrorCode } from '../errors';
import type { JsonValue } from '../model/types';
import type { StoredWidget } from '../storage/storage';
import type { NotebookSession } from './notebook-session';
import { setWidgetValue } from './widget-values';

const CELL = 'cell-1';
const WIDGET = `${CELL}:0`;
const ANSWER = { value: 42, kind: 'slider', props: { start: 0, stop: 100 }, names: ['threshold'] };

/** Whatever the runtime does with one call: answer, or refuse with a code. */
type Reply = { answer: JsonValue } | { refuse: CoreErrorCode };

/** The parts of a notebook session setWidgetValue uses, in memory, recording what it was asked. */
class FakeSession {
  readonly calls: { language: string; method: string; payload: JsonValue }[] = [];
  readonly recorded: { cellId: string; widgetId: string; widget: StoredWidget }[] = [];
  readonly readersRun: string[][] = [];
  /** Each `whenIdle` waits for the test to call `becomeIdle`. */
  idleWaits = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly replies: Reply[]) {}

  cell(cellId: string): { id: string; type: string } {
    return { id: cellId, type: 'python' };
  }

  /** The defining cell has not run in this kernel: the value is asked alone first (the path that retries). */
  readonly states = { inKernel: (): boolean => false };

  readonly runs = {
    callRuntime: async (language: string, method: string, payload: JsonValue): Promise<JsonValue> => {
      this.calls.push({ language, method, payload });
      const reply = this.replies.shift();
      if (!reply) throw new Error('The test scripted no more replies.');
      if ('refuse' in reply) throw new NotebookError(reply.refuse, `refused: ${reply.refuse}`);
      return reply.answer;
    },
    whenIdle: (): Promise<void> => {
      this.idleWaits++;
      return new Promise((resolve) => this.idleWaiters.push(resolve));
    },
    runReadersOf: (names: string[]): void => {
      this.readersRun.push(names);
    },
    request: (): void => {
      throw new Error('The defining cell must not run.');
    },
  };

  afterEdits<T>(fn: () => T | Promise<T>): Promise<T> {
    return Promise.resolve().then(fn);
  }

  recordWidgetValue(cellId: string, widgetId: string, widget: StoredWidget): void {
    this.recorded.push({ cellId, widgetId, widget });
  }

  becomeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Lets every pending promise callback run (no timers involved). */
  async settle(): Promise<void> {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }

  asSession(): NotebookSession {
    // Only the members above are used by setWidgetValue; the test fails loudly if it reaches for another.
    return this as unknown as NotebookSession;
  }
}

describe('setWidgetValue: the runtime call is asked again when the runtime is busy or past its time budget', () => {
  it.each<CoreErrorCode>(['RNB_ERR_RUNTIME_TIMEOUT', 'RNB_ERR_RUNTIME_BUSY'])('after %s: asked again once the notebook is idle, the value kept and its readers run', async (code) => {
    const session = new FakeSession([{ refuse: code }, { answer: ANSWER }]);
    const result = setWidgetValue(session.asSession(), WIDGET, 42);
    await session.settle();
    // Refused once: nothing is asked again until the notebook is idle.
    expect(session.calls).toHaveLength(1);
    expect(session.idleWaits).toBe(1);
    session.becomeIdle();
    await expect(result).resolves.toEqual({ value: 42, names: ['threshold'] });
    const asked = { language: 'python', method: 'set_widget_value', payload: { widget_id: WIDGET, value: 42 } };
    expect(session.calls).toEqual([asked, asked]);
    expect(session.recorded).toEqual([{ cellId: CELL, widgetId: WIDGET, widget: { kind: 'slider', props: ANSWER.props, value: 42 } }]);
    expect(session.readersRun).toEqual([['threshold']]);
  });

  it('gives up after three retries: the fourth refusal goes back to the caller, nothing is kept or run', async () => {
    const timeout: Reply = { refuse: 'RNB_ERR_RUNTIME_TIMEOUT' };
    const session = new FakeSession([timeout, timeout, timeout, timeout, { answer: ANSWER }]);
    const result = setWidgetValue(session.asSession(), WIDGET, 42);
    const outcome = result.then(() => 'resolved', (error: unknown) => error);
    for (let retry = 1; retry <= 3; retry++) {
      await session.settle();
      expect(session.calls).toHaveLength(retry);
      session.becomeIdle();
    }
    const error = await outcome;
    expect(error).toBeInstanceOf(NotebookError);
    expect((error as NotebookError).code).toBe('RNB_ERR_RUNTIME_TIMEOUT');
    expect(session.calls).toHaveLength(4);
    expect(session.recorded).toEqual([]);
    expect(session.readersRun).toEqual([]);
  });

  it('a refusal that is not about time (a bad value) goes back at once, not asked again', async () => {
    const session = new FakeSession([{ refuse: 'RNB_ERR_RUNTIME_CALL_FAILED' }, { answer: ANSWER }]);
    await expect(setWidgetValue(session.asSession(), WIDGET, 42)).rejects.toMatchObject({ code: 'RNB_ERR_RUNTIME_CALL_FAILED' });
    expect(session.calls).toHaveLength(1);
    expect(session.idleWaits).toBe(0);
    expect(session.recorded).toEqual([]);
  });
});
