import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { errno } from './fs-errors';

/** Writes a new file and forces it to disk before anyone can see it under its final name. */
export async function writeDurable(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await fsp.open(file, 'wx', 0o600);
  try {
    await (typeof data === 'string' ? handle.writeFile(data, 'utf8') : handle.writeFile(data));
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fsp.unlink(file).catch(() => undefined);
    throw error;
  }
  await handle.close();
}

/** Makes a rename or link inside `dir` durable. Some file systems refuse to fsync a folder: harmless there. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync().catch((error: unknown) => {
      if (!['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP'].includes(errno(error) ?? '')) throw error;
    });
  } finally {
    await handle.close();
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fsp.lstat(file);
    return true;
  } catch (error) {
    if (errno(error) === 'ENOENT') return false;
    throw error;
  }
}

/** A name part no other writer uses at the same time. */
export function token(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}
