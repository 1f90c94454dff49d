/**
 * The size cap on one rich output, applied in the kernel before the output is
 * serialised: a 45 MB HTML value must not travel (or kill the kernel on the
 * frame limit) only to be dropped by the server. Imports nothing: the kernel
 * process may read little else, and the server's run coordinator shares the note.
 */
import type { Output } from '../../model/types';

const MIB = 1024 * 1024;

/** A size in characters for people: "45 MB", "8 MB", "1.5 MB", "300 KB". */
export function sizeText(chars: number): string {
  if (chars >= MIB) {
    const mb = chars / MIB;
    return `${mb >= 10 ? Math.round(mb) : Number(mb.toFixed(1))} MB`;
  }
  return `${Math.max(1, Math.round(chars / 1024))} KB`;
}

/** The text that replaces an output over the limit, so the cell says why its result is missing. */
export function outputTooLargeNote(size: number, limit: number): string {
  return Number.isFinite(size)
    ? `Output of ${sizeText(size)} not shown: the limit is ${sizeText(limit)}.`
    : `Output not shown: it could not be measured (nested too deeply); the limit is ${sizeText(limit)}.`;
}

/**
 * About how many characters `data` takes as JSON, counting no further than
 * `limit` (+1): a huge value is recognised without serialising it. Strings
 * count their length plus quotes (escapes are not counted).
 */
export function boundedJsonSize(data: unknown, limit: number): number {
  let size = 0;
  const walk = (value: unknown, depth: number): boolean => {
    if (size > limit) return false;
    if (depth > 256) {
      size = Number.POSITIVE_INFINITY;
      return false;
    }
    if (typeof value === 'string') size += value.length + 2;
    else if (typeof value === 'number' || typeof value === 'boolean' || value === null) size += String(value).length;
    else if (Array.isArray(value)) {
      size += 1 + Math.max(1, value.length); // brackets and commas
      for (const item of value) if (!walk(item, depth + 1)) return false;
    } else if (typeof value === 'object') {
      const keys = Object.keys(value);
      size += 1 + Math.max(1, keys.length); // braces and commas
      for (const key of keys) {
        size += key.length + 3; // quotes and colon
        if (!walk((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
    }
    return size <= limit;
  };
  walk(data, 0);
  return size;
}

/**
 * The output itself when its data fits in `limit` characters, else a text
 * note naming its size and the limit. The size of an output over the limit
 * is measured exactly only for strings (the usual case: HTML, SVG, base64).
 */
export function capOutput(output: Output, limit: number): Output {
  if (!(limit > 0)) return output;
  const data: unknown = output.data;
  const size = typeof data === 'string' ? data.length : boundedJsonSize(data, limit);
  if (size <= limit) return output;
  return { mime_type: 'text/plain', data: outputTooLargeNote(size, limit) };
}
