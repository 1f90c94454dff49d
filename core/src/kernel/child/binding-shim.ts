import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * Under Node's permission model `process.binding` throws, and Pyodide calls
 * `process.binding('constants')` while it starts. Give it the constants only.
 */
export function installBindingShim(): void {
  const proc = process as unknown as { binding: (name: string) => unknown };
  proc.binding = (name: string): unknown => {
    if (name === 'constants') return { fs: fs.constants, os: os.constants, ...fs.constants };
    throw new Error(`process.binding('${name}') is not available in the kernel`);
  };
}
