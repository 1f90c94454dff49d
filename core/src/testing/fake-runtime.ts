/**
 * The fake language's runtime module: runs in the kernel's worker thread.
 * Its `attack` statements try, from inside the sandbox, what hostile cell
 * code would: each prints "escaped: ..." if it worked and throws
 * "blocked: ..." if the sandbox stopped it.
 */
import type { CellIO, CellRun, LanguageRuntime, RuntimeContext, RuntimeFactory } from '../language/runtime-api';
import type { JsonValue } from '../model/types';
import { parseFake, type Expr } from './fake-syntax';

function evaluate(expr: Expr, context: RuntimeContext): unknown {
  switch (expr.kind) {
    case 'num':
    case 'str':
      return expr.value;
    case 'name':
      if (!context.namespace.has(expr.name)) throw Object.assign(new Error(`name '${expr.name}' is not defined`), { name: 'NameError' });
      return context.namespace.get(expr.name);
    case 'bin': {
      const l = evaluate(expr.left, context) as number;
      const r = evaluate(expr.right, context) as number;
      if (expr.op === '+') return l + r;
      if (expr.op === '-') return l - r;
      if (expr.op === '*') return l * r;
      return l / r;
    }
  }
}

async function attack(kind: string, arg: string, context: RuntimeContext): Promise<string> {
  const req = require as (id: string) => unknown;
  switch (kind) {
    case 'env': {
      const keys = Object.keys(process.env);
      if (keys.length > 0) return `env has ${keys.join(',')}`;
      throw new Error('environment is empty');
    }
    case 'read': {
      const fs = req('node:fs') as typeof import('node:fs');
      return fs.readFileSync(arg, 'utf8').slice(0, 200);
    }
    case 'write': {
      const fs = req('node:fs') as typeof import('node:fs');
      fs.writeFileSync(arg, 'pwned');
      return `wrote ${arg}`;
    }
    case 'spawn': {
      const cp = req('node:child_process') as typeof import('node:child_process');
      return cp.execSync('id').toString();
    }
    case 'socket': {
      const net = req('node:net') as typeof import('node:net');
      const [host = '127.0.0.1', port = '80'] = arg.split(':');
      return await new Promise<string>((resolve, reject) => {
        const socket = net.connect({ host, port: Number(port) }, () => {
          socket.destroy();
          resolve(`connected to ${arg}`);
        });
        socket.on('error', reject);
        setTimeout(() => reject(new Error('timeout')), 2000);
      });
    }
    case 'fetch': {
      const response = await fetch(arg);
      return `fetched ${response.status}`;
    }
    case 'kill-parent':
      process.kill(process.ppid === 1 ? Number(arg) : Number(arg || process.ppid), 'SIGTERM');
      return `signalled ${arg || process.ppid}`;
    case 'kill-group':
      process.kill(0, 'SIGTERM');
      return 'signalled my process group';
    case 'eval':
      // eslint-disable-next-line no-eval
      return String((0, eval)('1 + 1'));
    case 'function':
      return String(new Function('return process.env')());
    case 'constructor':
      return String((() => undefined).constructor.constructor('return 2')());
    case 'exit':
      process.exit(3);
      return 'unreachable';
    case 'crash':
      process.kill(process.pid, 'SIGKILL');
      return 'unreachable';
    case 'alloc': {
      const hog: number[][] = [];
      for (;;) hog.push(new Array(1_000_000).fill(1));
    }
    case 'channel': {
      // Write straight onto the kernel's channel to the server, bypassing the supervisor.
      const fs = req('node:fs') as typeof import('node:fs');
      fs.writeSync(3, arg === 'huge' ? 'x'.repeat(80 * 1024 * 1024) : '{"t":"bogus"}\n');
      return 'wrote to the channel';
    }
    case 'host': {
      const reply = await context.hostCall(arg || 'echo', { hello: 'world' });
      return `host replied ${JSON.stringify(reply)}`;
    }
    default:
      throw new Error(`unknown attack ${kind}`);
  }
}

const factory: RuntimeFactory = (context: RuntimeContext): LanguageRuntime | Promise<LanguageRuntime> => {
  const options = (context.options ?? {}) as { hangOnLoad?: boolean; failOnLoad?: boolean; logOnLoad?: boolean };
  if (options.hangOnLoad) return new Promise<never>(() => undefined);
  if (options.failOnLoad) throw new Error('the fake runtime was told to fail while loading');
  // Tests of when a language loads (before any cell, or at its first one) read this line in the kernel's log.
  if (options.logOnLoad) context.log('info', 'the fake runtime loaded');
  return fakeRuntime(context);
};

/**
 * The fake runtime's answers to runtime calls (LanguageRuntime.call), for
 * tests of the channel: `echo` returns the payload, `names` the namespace's
 * names with a prefix, `sleep` answers `{ slept }` after `payload.ms`, `hang`
 * never answers, `fail` throws, `big` answers a string of `payload.chars`,
 * `set` gives `payload.name` the value `payload.value` (as a widget would).
 */
async function answer(method: string, payload: JsonValue, context: RuntimeContext, signal: AbortSignal): Promise<JsonValue> {
  const args = (payload && typeof payload === 'object' && !Array.isArray(payload) ? payload : {}) as { [key: string]: JsonValue };
  switch (method) {
    case 'echo':
      return payload;
    case 'names': {
      const prefix = typeof args.prefix === 'string' ? args.prefix : '';
      return context.namespace.names().filter((n) => n.startsWith(prefix)).sort();
    }
    case 'sleep':
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Number(args.ms ?? 0));
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      return { slept: Number(args.ms ?? 0) };
    case 'hang':
      return new Promise<never>(() => undefined);
    case 'fail':
      throw new Error('the fake runtime was asked to fail');
    case 'big':
      return 'x'.repeat(Number(args.chars ?? 0));
    case 'set':
      context.namespace.set(String(args.name), args.value ?? null, context.language);
      return null;
    default:
      throw new Error(`The fake runtime has no method "${method}".`);
  }
}

const fakeRuntime = (context: RuntimeContext): LanguageRuntime => ({
  call: (method, payload, signal) => answer(method, payload, context, signal),
  async run(cell: CellRun, io: CellIO): Promise<void> {
    const statements = parseFake(cell.code);
    for (let i = 0; i < statements.length; i++) {
      const s = statements[i]!;
      switch (s.kind) {
        case 'assign':
          context.namespace.set(s.name, evaluate(s.expr, context), context.language);
          break;
        case 'print':
          io[s.stream](s.exprs.map((e) => String(evaluate(e, context))).join(' ') + '\n');
          break;
        case 'expr': {
          const value = evaluate(s.expr, context);
          if (i === statements.length - 1) io.output({ mime_type: 'text/plain', data: String(value) });
          break;
        }
        case 'fail':
          throw Object.assign(new Error(s.message), { name: 'FakeError' });
        case 'sleep':
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(resolve, s.ms);
            io.signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('KeyboardInterrupt'))), { once: true });
          });
          break;
        case 'spin':
          for (;;) {
            if (!s.hard && Atomics.load(context.interruptBuffer, 0) !== 0) throw Object.assign(new Error('interrupted'), { name: 'KeyboardInterrupt' });
          }
        case 'hang':
          await new Promise<never>(() => undefined);
          break;
        case 'flood':
          for (let n = 0; n < s.lines; n++) io.stdout(`${n}\n`);
          break;
        case 'del':
          context.namespace.delete(s.name);
          break;
        case 'attack': {
          let result: string;
          try {
            result = await attack(s.attack, s.arg, context);
          } catch (error) {
            const e = error as { code?: string; message?: string; name?: string };
            throw new Error(`blocked: ${e.code ?? e.name ?? ''} ${e.message ?? String(error)}`.slice(0, 500));
          }
          io.stdout(`escaped: ${result}\n`);
          break;
        }
      }
    }
  },
});

module.exports = factory;
