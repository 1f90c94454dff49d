/**
 * Test harness: loads the built Python runtime in a worker thread with a
 * small fake RuntimeContext, as core's kernel worker does.
 */
'use strict';
const { parentPort, workerData } = require('node:worker_threads');

class MapNamespace {
  constructor() { this.entries = new Map(); }
  has(name) { return this.entries.has(name); }
  get(name) { return this.entries.get(name)?.toJS(); }
  entry(name) { return this.entries.get(name); }
  set(name, value, language) { this.entries.set(name, { language, native: value, toJS: () => value }); }
  setEntry(name, entry) { this.entries.set(name, entry); }
  delete(name) { return this.entries.delete(name); }
  names() { return [...this.entries.keys()]; }
}

const namespace = new MapNamespace();
const interruptBuffer = new Int32Array(workerData.interruptBuffer);
const pendingHostCalls = new Map();
let nextHostCall = 1;
let runtime = null;

const context = {
  language: 'python',
  namespace,
  options: workerData.options,
  interruptBuffer,
  hostCall: (service, payload) => new Promise((resolve, reject) => {
    const id = nextHostCall++;
    pendingHostCalls.set(id, { resolve, reject });
    parentPort.postMessage({ type: 'host_call', id, service, payload });
  }),
  log: () => undefined,
};

async function run(message) {
  const result = { stdout: '', stderr: '', chunks: [], outputs: [], error: null };
  const io = {
    stdout: (text) => { result.stdout += text; result.chunks.push(text); parentPort.postMessage({ type: 'chunk', id: message.id, text }); },
    stderr: (text) => { result.stderr += text; },
    output: (output) => result.outputs.push(output),
    signal: new AbortController().signal,
  };
  Atomics.store(interruptBuffer, 0, 0);
  try {
    await runtime.run({ cellId: message.cellId, code: message.code, defines: message.defines ?? [], references: message.references ?? [], ...(message.meta ? { meta: message.meta } : {}) }, io);
  } catch (error) {
    result.error = { message: error.message, traceback: error.traceback, name: error.name };
  }
  return result;
}

parentPort.on('message', async (message) => {
  try {
    if (message.type === 'run') parentPort.postMessage({ type: 'result', id: message.id, result: await run(message) });
    else if (message.type === 'eval') {
      // Runs JavaScript in the worker, to inspect the namespace from "another language".
      const value = message.what === 'namespace' ? namespace.get(message.name)
        : message.what === 'columns' ? (namespace.entry(message.name)?.toColumns?.() ?? null)
        : message.what === 'set' ? namespace.set(message.name, message.value, message.language) : undefined;
      parentPort.postMessage({ type: 'result', id: message.id, result: value });
    } else if (message.type === 'call') {
      const answer = await runtime.call(message.method, message.payload, new AbortController().signal);
      parentPort.postMessage({ type: 'result', id: message.id, result: answer });
    } else if (message.type === 'describe') {
      parentPort.postMessage({ type: 'result', id: message.id, result: await runtime.describeVariables({ maxNames: message.maxNames, deadline: Date.now() + 1000 }) });
    } else if (message.type === 'forget_cells') {
      runtime.forgetCells(message.cells);
      parentPort.postMessage({ type: 'result', id: message.id, result: null });
    } else if (message.type === 'delete') {
      runtime.deleteNames(message.names);
      for (const name of message.names) namespace.delete(name);
      parentPort.postMessage({ type: 'result', id: message.id, result: null });
    } else if (message.type === 'host_reply') {
      const call = pendingHostCalls.get(message.id);
      pendingHostCalls.delete(message.id);
      if (message.ok) call.resolve(message.value); else call.reject(new Error(message.error));
    }
  } catch (error) {
    parentPort.postMessage({ type: 'result', id: message.id, error: String(error && error.stack || error) });
  }
});

const factory = require(workerData.module).default;
const started = Date.now();
Promise.resolve(factory(context)).then(
  (r) => { runtime = r; parentPort.postMessage({ type: 'ready', ms: Date.now() - started }); },
  (error) => parentPort.postMessage({ type: 'ready', error: String(error && error.stack || error) }),
);
