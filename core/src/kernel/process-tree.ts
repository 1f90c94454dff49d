/**
 * Memory of a kernel process together with the processes it started (a
 * language that runs its own sandbox, such as native CPython): read from
 * /proc by the server, which the kernel cannot lie to.
 */
import * as fs from 'node:fs';

const PAGE_BYTES = 4096;

function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields after its last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/** Proportional set size: pages shared with other processes (a forked child's with its parent) are split among them. */
function proportionalBytes(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // no smaps_rollup (old kernels): resident pages, shared ones counted in full
  }
  try {
    const pages = Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return Number.isFinite(pages) ? pages * PAGE_BYTES : 0;
  } catch {
    return 0;
  }
}

/** The pids of `root`'s descendants (children, their children...), not `root` itself. */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    const siblings = children.get(parent);
    if (siblings) siblings.push(pid);
    else children.set(parent, [pid]);
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Memory of the processes under `root`, as PSS (so a hundred forked children do not count their parent a hundred times). */
export function descendantsMemoryBytes(root: number): number {
  return descendantsOf(root).reduce((total, pid) => total + proportionalBytes(pid), 0);
}
