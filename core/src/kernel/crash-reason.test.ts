import { createTestKernel, type TestKernel } from '../testing';
import { notebookWith } from '../testing/notebook-fixture';
import { kernelExitReason } from './crash-reason';

// Node 20's own stderr, as written by `node --experimental-permission` and by a process that ran out of heap or threw.
const PERMISSION_WARNING =
  '(node:9266) ExperimentalWarning: Permission is an experimental feature and might change at any time\n' +
  '(Use `node --trace-warnings ...` to show where the warning was created)\n';
const OUT_OF_HEAP = `
<--- Last few GCs --->

[9272:0x8c50e20]       64 ms: Mark-Compact 20.1 (36.7) -> 20.1 (36.7) MB, 5.61 / 0.00 ms  (average mu = 0.425, current mu = 0.141) allocation failure; scavenge might not succeed


<--- JS stacktrace --->

FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory
----- Native stack trace -----

 1: 0xb78db3 node::OOMErrorHandler(char const*, v8::OOMDetails const&) [node]
 2: 0xee8300 v8::Utils::ReportOOMFailure(v8::internal::Isolate*, char const*, v8::OOMDetails const&) [node]
16: 0x195e476  [node]
`;
const UNCAUGHT = `/app/core/dist/kernel/child/main.js:12
throw new Error('boom in supervisor')
^

Error: boom in supervisor
    at Object.<anonymous> (/app/core/dist/kernel/child/main.js:12:7)
    at node:internal/main/run_main_module:28:49

Node.js v20.20.2
`;

describe('the reason a kernel process ended, as the user reads it', () => {
  it.each([
    { name: 'killed with only the start-up warning on stderr: no warning in the reason', code: null, signal: 'SIGKILL' as const, stderr: PERMISSION_WARNING, reason: 'the kernel process was killed (SIGKILL, often because the machine ran out of memory)' },
    { name: 'out of heap: the fatal error, not the native stack', code: 134, signal: null, stderr: PERMISSION_WARNING + OUT_OF_HEAP, reason: 'the kernel process exited (code 134): FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' },
    { name: 'an uncaught error: its message, not the stack or the Node version', code: 1, signal: null, stderr: PERMISSION_WARNING + UNCAUGHT, reason: 'the kernel process exited (code 1): Error: boom in supervisor' },
    { name: 'a deprecation warning after the real reason does not hide it', code: 1, signal: null, stderr: 'bwrap: Creating new namespace failed: Operation not permitted\n(node:7) [DEP0005] DeprecationWarning: Buffer() is deprecated\n', reason: 'the kernel process exited (code 1): bwrap: Creating new namespace failed: Operation not permitted' },
    { name: 'nothing on stderr', code: 3, signal: null, stderr: '', reason: 'the kernel process exited (code 3)' },
  ])('$name', ({ code, signal, stderr, reason }) => {
    expect(kernelExitReason(code, signal, stderr)).toBe(reason);
  });

  describe('with a real kernel process', () => {
    let kernel: TestKernel;
    beforeAll(async () => {
      kernel = await createTestKernel();
    });
    afterAll(() => kernel.close());

    it("tells the notebook a crashed kernel's reason without Node's warnings", async () => {
      const nb = await notebookWith(kernel, 'crasher', ['attack crash']);
      await nb.run(0);
      const [cell] = await nb.state();
      expect(cell!.status).toBe('error');
      expect(cell!.error).toBe('The kernel stopped while this cell ran: the kernel process was killed (SIGKILL, often because the machine ran out of memory)');
      const [restarted] = kernel.eventsOf(nb.notebookId, 'kernel_restarted');
      expect(restarted!.reason).not.toMatch(/Warning|trace-warnings|node:/);
    });
  });
});
