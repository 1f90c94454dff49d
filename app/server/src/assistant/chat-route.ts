import type { Router } from '@koa/router';
import type { AssistantProvider } from '@rnb/core';
import { z } from 'zod';
import type { CommandRouter } from '../commands/command-router';
import { HostError } from '../errors';
import type { NotebookEventBus } from '../events/event-bus';
import { endpoint, errorDetail, type EndpointDeps } from '../http/endpoint';
import type { Logger } from '../logger';
import { runAgent, type ChatEvent } from './agent-loop';
import type { AssistantAuditLog } from './audit-log';
import type { AssistantSettings } from './settings';
import { SseStream } from './sse';
import { systemPrompt } from './system-prompt';

export interface AssistantDeps {
  /** Undefined when no assistant plugin is loaded: the chat answers 503. */
  provider: AssistantProvider | undefined;
  settings: AssistantSettings;
  audit: AssistantAuditLog;
  commands: CommandRouter;
  events: NotebookEventBus;
  languages(): string[];
  log: Logger;
}

const MAX_CHATS_PER_USER = 3;

export const chatBody = z.object({
  messages: z
    .array(z.object({ role: z.enum(['user', 'assistant']), content: z.string().min(1).max(100_000) }).strict())
    .min(1)
    .max(200)
    .refine((messages) => messages[messages.length - 1]?.role === 'user', { message: 'the last message must be the user\'s' }),
});

/**
 * The assistant's routes under `/api/chat/{notebook_id}`. A chat acts as the
 * caller on the caller's notebook only, through the same commands as the
 * user's own edits; the answer is a server-sent-event stream (see README).
 */
export class AssistantRoutes {
  private readonly running = new Set<AbortController>();
  private readonly perUser = new Map<string, number>();

  constructor(private readonly deps: AssistantDeps) {}

  /** Why a chat would be refused (503), or null when the assistant can answer: what the web app shows before a first message. */
  unavailableReason(): string | null {
    return this.deps.provider ? this.deps.provider.unavailableReason() : 'No assistant plugin is loaded on this server.';
  }

  register(router: Router, endpointDeps: EndpointDeps): void {
    const { deps } = this;
    router.post('/api/chat/:id', endpoint(endpointDeps, { body: chatBody }, async ({ user, params, body }, ctx) => {
      const reason = this.unavailableReason();
      if (reason !== null || !deps.provider) throw new HostError(503, 'RNB_ERR_ASSISTANT_UNAVAILABLE', reason ?? 'The assistant is unavailable.');
      const notebookId = params.id!;
      // 404 for a notebook that is not the caller's, before anything streams.
      await deps.commands.dispatch(user.userId, notebookId, { type: 'get_notebook' });
      const count = this.perUser.get(user.userId) ?? 0;
      if (count >= MAX_CHATS_PER_USER) throw new HostError(429, 'RNB_ERR_TOO_MANY_REQUESTS', `At most ${MAX_CHATS_PER_USER} assistant chats at once; stop one first.`);

      const controller = new AbortController();
      const sse = new SseStream();
      this.running.add(controller);
      this.perUser.set(user.userId, count + 1);
      const log = deps.log.child({ component: 'assistant', user: user.userId, notebook: notebookId });
      // The client hanging up (or pressing stop) aborts the model request and the loop: no work is left behind.
      ctx.res.once('close', () => {
        if (!ctx.res.writableFinished) controller.abort(new Error('the client disconnected'));
      });
      ctx.req.socket.setTimeout(0);
      // Written by hand, not as a Koa stream body: a client hanging up is normal here, not an error to report.
      ctx.respond = false;
      ctx.res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
      sse.body.pipe(ctx.res);
      const started = Date.now();
      void runAgent({
        provider: deps.provider,
        system: systemPrompt(deps.languages()),
        messages: body.messages,
        maxTurns: deps.settings.maxTurns,
        scope: { owner: user.userId, notebookId, signal: controller.signal },
        tools: { commands: deps.commands, events: deps.events, runTimeoutMs: deps.settings.runTimeoutMs },
        audit: deps.audit,
        emit: (event: ChatEvent) => sse.send(event.type, event),
        onAuditError: (error) => log.error('assistant audit write failed', { error: errorDetail(error) }),
      }).finally(() => {
        sse.end();
        this.running.delete(controller);
        const left = (this.perUser.get(user.userId) ?? 1) - 1;
        if (left <= 0) this.perUser.delete(user.userId);
        else this.perUser.set(user.userId, left);
        log.info('assistant chat ended', { ms: Date.now() - started, aborted: controller.signal.aborted });
      });
      return { status: 200 };
    }));

    router.get('/api/chat/:id/audit', endpoint(endpointDeps, {}, async ({ user, params }, ctx) => {
      const notebookId = params.id!;
      await deps.commands.dispatch(user.userId, notebookId, { type: 'get_notebook' });
      const limitText = typeof ctx.query.limit === 'string' ? ctx.query.limit : '200';
      const limit = /^\d+$/.test(limitText) ? Math.min(Math.max(Number(limitText), 1), 1000) : 200;
      return { status: 200, body: { entries: await deps.audit.read(notebookId, limit) } };
    }));
  }

  /** Shutdown: every chat stops (its model request is cancelled). */
  abortAll(): void {
    for (const controller of this.running) controller.abort(new Error('the server is shutting down'));
  }
}
