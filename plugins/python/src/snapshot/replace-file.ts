import * as fs from 'node:fs';

/** Writes `file` under a temporary name and renames it, so a kernel starting meanwhile never reads half of it. */
export function replaceFile(file: string, data: string | Uint8Array): void {
  fs.writeFileSync(`${file}.tmp`, data);
  fs.renameSync(`${file}.tmp`, file);
}
