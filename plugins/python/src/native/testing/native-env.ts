/** What the native runtime's tests share: what they need from the machine, and small waits. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export const NATIVE_PYTHON = '/usr/bin/python3';

/** null when bubblewrap and Debian's python3 with numpy, pandas and matplotlib are here; else what is missing. */
export function nativeMissing(): string | null {
  if (spawnSync('bwrap', ['--version']).status !== 0) return 'bubblewrap is not installed (apt-get install -y bubblewrap)';
  const probe = spawnSync(NATIVE_PYTHON, ['-c', 'import numpy, pandas, matplotlib']);
  if (probe.status !== 0) return `${NATIVE_PYTHON} lacks numpy, pandas or matplotlib (apt-get install -y python3-numpy python3-pandas python3-matplotlib)`;
  return null;
}

/** Pids of native driver processes on this machine (seen from outside their sandboxes). */
export function driverPids(): number[] {
  return fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('/opt/rnb/native_driver.py') && !fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('/usr/bin/bwrap');
    } catch {
      return false;
    }
  });
}

export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
