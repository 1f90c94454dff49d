/**
 * What a user is told when a kernel process ends on its own: the line of its
 * stderr that says why, without Node's warnings, hints and stack dumps (the
 * permission model's "ExperimentalWarning" is written by every kernel at start
 * and said nothing about any crash).
 */

/** Lines Node writes that never explain a crash to a notebook's user. */
const NOISE: readonly RegExp[] = [
  /^\(node:\d+\) (\[[A-Z0-9]+\] )?\w*Warning: /, // process warnings: ExperimentalWarning, DeprecationWarning...
  /^\(Use `node --trace-\w+ \.\.\.` to show where the warning was created\)$/,
  /^\s+at /, // JavaScript stack frames
  /^\s*\d+: 0x[0-9a-f]+ /, // native stack frames after a fatal error
  /^-+ Native stack trace -+$/,
  /^<--- .* --->$/, // "<--- Last few GCs --->", "<--- JS stacktrace --->"
  /^\[\d+:0x[0-9a-f]+\]\s+\d+ ms: /, // garbage collector trace lines
  /^Node\.js v\d+/,
  /^\s*\^+\s*$/, // the caret under a thrown line
];

/** The most telling lines first: a fatal error names the real reason even when more follows it. */
const FATAL = /^(FATAL ERROR|#\s*Fatal error|Fatal error|bwrap:|Segmentation fault|Aborted)/;

/** The stderr lines worth showing, in order. */
export function meaningfulStderr(stderr: string): string[] {
  return stderr
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '' && !NOISE.some((noise) => noise.test(line)));
}

/** Why a kernel process ended, for the user: exit code or signal, and the one stderr line that explains it, if any. */
export function kernelExitReason(code: number | null, signal: NodeJS.Signals | null, stderrTail: string): string {
  const how = signal ? `was killed (${signal}${signal === 'SIGKILL' ? ', often because the machine ran out of memory' : ''})` : `exited (code ${code})`;
  const lines = meaningfulStderr(stderrTail);
  const reason = lines.find((line) => FATAL.test(line.trim())) ?? lines[lines.length - 1];
  return `the kernel process ${how}${reason ? `: ${reason.trim().slice(0, 500)}` : ''}`;
}
