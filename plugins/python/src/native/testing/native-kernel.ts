/** The setup most native-runtime test files share: one kernel with the native Python language, and Python notebooks on it. */
import { createTestKernel, describeNeeding, notebookWith, type Fixture, type TestKernel } from '@rnb/core/testing';
import { nativePythonLanguage } from '../native-language';
import { NATIVE_PYTHON, nativeMissing } from './native-env';

export interface NativeKernel {
  /** The kernel of this describe block (started in its beforeAll, closed in its afterAll). */
  readonly kernel: TestKernel;
  /** A notebook of `owner` whose cells are Python, one per code. */
  python(codes: string[]): Promise<Fixture>;
}

/**
 * A describe block whose tests share one kernel running Debian's python3 in bubblewrap; skipped where the machine lacks
 * them (failing under CI=true, see describeNeeding). `onStart` sees the kernel once it is up (e.g. to subscribe to events).
 */
export function describeNativeKernel(name: string, owner: string, body: (native: NativeKernel) => void, onStart?: (kernel: TestKernel) => void): void {
  describeNeeding(name, nativeMissing(), () => {
    let started: TestKernel | undefined;
    beforeAll(async () => {
      started = await createTestKernel({ languages: [nativePythonLanguage({ executable: NATIVE_PYTHON }).definition] });
      onStart?.(started);
    }, 60_000);
    afterAll(async () => started?.close());
    const native: NativeKernel = {
      get kernel(): TestKernel {
        if (!started) throw new Error('the native kernel is not started yet (use it inside a test)');
        return started;
      },
      python: (codes) => notebookWith(native.kernel, owner, codes, 'python'),
    };
    body(native);
  });
}
