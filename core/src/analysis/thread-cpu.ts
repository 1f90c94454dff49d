import * as fs from 'node:fs';

/**
 * CPU time used by one thread of this process, in ms, read from /proc (Linux,
 * where USER_HZ is 100); null where that is not available. Lets the analysis
 * budget count the work a cell cost, not the time its thread waited for a CPU.
 */
export function threadCpuMs(threadId: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${threadId}/stat`, 'utf8');
    // Fields after the command name: state is the first, utime the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : null;
  } catch {
    return null;
  }
}

/** The calling thread's id in the kernel's sense (Linux), or null. */
export function currentThreadId(): number | null {
  try {
    const id = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(id) ? id : null;
  } catch {
    return null;
  }
}
