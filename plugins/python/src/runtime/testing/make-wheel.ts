/**
 * Builds a tiny pure-Python wheel (a stored, uncompressed zip) for the
 * package tests: this machine cannot download real ones.
 */
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';

function zip(files: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const crc = zlib.crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(file.data.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(file.data.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, file.data);
    centrals.push(central, name);
    offset += local.length + name.length + file.data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** A wheel `<name>-<version>-py3-none-any.whl` whose module `<name>` has `GREETING` and `greet()`. */
/** A wheel built in memory, with the sha256 an index lists beside its link. */
export interface TestWheel {
  fileName: string;
  bytes: Buffer;
  sha256: string;
}

export function makeWheel(name: string, version: string, greeting: string): TestWheel {
  const distInfo = `${name}-${version}.dist-info`;
  const files = [
    { name: `${name}/__init__.py`, data: Buffer.from(`GREETING = ${JSON.stringify(greeting)}\n\ndef greet(who):\n    return f"{GREETING}, {who}"\n`) },
    { name: `${distInfo}/METADATA`, data: Buffer.from(`Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`) },
    { name: `${distInfo}/WHEEL`, data: Buffer.from('Wheel-Version: 1.0\nGenerator: rnb-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n') },
    { name: `${distInfo}/top_level.txt`, data: Buffer.from(`${name}\n`) },
  ];
  const record = files.map((f) => `${f.name},,`).join('\n') + `\n${distInfo}/RECORD,,\n`;
  files.push({ name: `${distInfo}/RECORD`, data: Buffer.from(record) });
  const bytes = zip(files);
  return { fileName: `${name}-${version}-py3-none-any.whl`, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
