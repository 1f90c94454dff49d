import type { JsonValue, WidgetValueAnswer } from '../api/types';

export type SendWidgetValue = (widgetId: string, value: JsonValue) => Promise<WidgetValueAnswer>;

interface Waiting {
  value: JsonValue;
  resolve: (answer: WidgetValueAnswer | null) => void;
  reject: (error: unknown) => void;
}

/**
 * Widget values on their way to the host, coalesced: at most one `set_widget_value` per widget
 * in flight; values set meanwhile replace each other and only the latest is sent when the
 * answer comes. A drag of a hundred pixels costs a few sends and a few reader runs, never a
 * queue of a hundred. No timers: the host's answer is the pace.
 */
export class WidgetSender {
  private readonly inFlight = new Set<string>();
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly send: SendWidgetValue) {}

  /**
   * Sends `value` (now, or after the value in flight). Resolves with the host's answer, or null
   * when a later value replaced this one before it was sent; rejects with the host's refusal.
   */
  set(widgetId: string, value: JsonValue): Promise<WidgetValueAnswer | null> {
    return new Promise((resolve, reject) => {
      const replaced = this.waiting.get(widgetId);
      replaced?.resolve(null);
      this.waiting.set(widgetId, { value, resolve, reject });
      if (!this.inFlight.has(widgetId)) this.pump(widgetId);
    });
  }

  /** Whether a value of this widget is on its way: the control then keeps what the user set over older broadcasts. */
  busy(widgetId: string): boolean {
    return this.inFlight.has(widgetId) || this.waiting.has(widgetId);
  }

  private pump(widgetId: string): void {
    const next = this.waiting.get(widgetId);
    if (!next) return;
    this.waiting.delete(widgetId);
    this.inFlight.add(widgetId);
    // Out of flight before the caller hears the answer, so `busy` then says whether a newer value is on its way.
    const settle = (): void => {
      this.inFlight.delete(widgetId);
    };
    this.send(widgetId, next.value).then(
      (answer) => {
        settle();
        next.resolve(answer);
        this.pump(widgetId);
      },
      (error: unknown) => {
        settle();
        next.reject(error);
        this.pump(widgetId);
      },
    );
  }
}
