import { KernelError, RuntimeCallError } from '../errors';
import type { JsonValue } from '../model/types';
import type { KernelProcess } from './kernel-process';
import type { CallRequest, KernelLimits, KernelMessage } from './protocol';

interface PendingCall {
  sessionId: string;
  resolve(value: JsonValue): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

type CallReply = Extract<KernelMessage, { t: 'call_reply' }>;

/**
 * The runtime calls one kernel process was asked and has not answered: the
 * server's side of the page → runtime channel. Sizes are checked both ways
 * (the kernel is untrusted), the time budget runs here, and only an answer to
 * a call this process was asked, for the session it names, settles anything.
 */
export class RuntimeCalls {
  private readonly pending = new Map<number, PendingCall>();
  private static nextId = 0;

  constructor(
    private readonly process: KernelProcess,
    private readonly limits: KernelLimits,
  ) {}

  ask(sessionId: string, language: string, method: string, payload: JsonValue): Promise<JsonValue> {
    return this.expect(sessionId, language, method, payload, (request) => this.process.send({ t: 'call', session: sessionId, ...request }));
  }

  /**
   * Registers a call whose request `send` puts on the wire itself (ahead of a plan, in a `run` message): its answer
   * settles the promise like `ask`'s. `send` is not called when the request is too large.
   */
  expect(sessionId: string, language: string, method: string, payload: JsonValue, send: (request: CallRequest) => void): Promise<JsonValue> {
    const size = JSON.stringify(payload).length;
    if (size > this.limits.runtimeCallRequestChars) {
      return Promise.reject(new RuntimeCallError('too_large', `The request has ${size} characters; a runtime call takes at most ${this.limits.runtimeCallRequestChars}.`));
    }
    const callId = ++RuntimeCalls.nextId;
    const timeoutMs = this.limits.runtimeCallTimeoutMs;
    return new Promise<JsonValue>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(callId);
        reject(new RuntimeCallError('timeout', `The ${language} runtime did not answer "${method}" within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.pending.set(callId, { sessionId, resolve, reject, timer });
      send({ callId, language, method, payload, timeoutMs });
    });
  }

  answered(message: CallReply): void {
    const call = this.pending.get(message.callId);
    if (!call || call.sessionId !== message.session) return;
    clearTimeout(call.timer);
    this.pending.delete(message.callId);
    if (!message.ok) return call.reject(new RuntimeCallError(message.failure, message.error));
    const size = JSON.stringify(message.value).length;
    if (size > this.limits.runtimeCallAnswerChars) {
      call.reject(new RuntimeCallError('failed', `The runtime's answer has ${size} characters; the limit is ${this.limits.runtimeCallAnswerChars}.`));
    } else call.resolve(message.value);
  }

  /** The process ended: nothing it owes will come. */
  failAll(reason: string): void {
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(new KernelError(`The notebook's kernel stopped while answering: ${reason}`));
    }
    this.pending.clear();
  }
}
