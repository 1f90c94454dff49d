/**
 * A runtime that reads a file the sandbox does not allow gets a message that
 * names the file and the language's `readPaths`, not Node's bare "Access to
 * this API has been restricted". Real kernel process, a runtime module
 * written to a temporary folder as a plugin author would ship it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LanguageDefinition } from '../language/language';
import { createTestKernel, type TestKernel } from '../testing/test-kernel';
import { describeNeeding } from '../testing/describe-needing';
import { notebookWith } from '../testing/notebook-fixture';
import { probeIsolation } from './sandbox';

/** Each cell's code is a path; the cell prints that file. */
const READER_RUNTIME = `
const fs = require('node:fs');
module.exports = () => ({
  run(cell, io) { io.stdout(fs.readFileSync(cell.code.trim(), 'utf8')); },
});
`;

const missing = probeIsolation().permissionFlag === null ? "this Node has no permission model (--permission), so nothing is refused" : null;

describeNeeding('a runtime reading outside its readPaths', missing, () => {
  let root: string;
  let kernel: TestKernel;
  let module: string;
  let allowedDir: string;
  let secret: string;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-readpaths-'));
    // Readable by the kernel's own uid (65534 when the server is root): only the permission model refuses.
    fs.chmodSync(root, 0o755);
    for (const dir of ['plugin', 'data', 'private']) fs.mkdirSync(path.join(root, dir), { mode: 0o755 });
    module = path.join(root, 'plugin', 'runtime.js');
    fs.writeFileSync(module, READER_RUNTIME, { mode: 0o644 });
    allowedDir = path.join(root, 'data');
    fs.writeFileSync(path.join(allowedDir, 'ok.txt'), 'allowed\n', { mode: 0o644 });
    secret = path.join(root, 'private', 'secret.txt');
    fs.writeFileSync(secret, 'secret\n', { mode: 0o644 });
    const reader: LanguageDefinition = {
      id: 'reader',
      analyse: () => ({ defines: [], references: [] }),
      runtime: { module, readPaths: [allowedDir] },
    };
    kernel = await createTestKernel({ languages: [reader] });
  });

  afterAll(async () => {
    await kernel?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reads a file under readPaths, and for one outside names the file and the readPaths', async () => {
    const notebook = await notebookWith(kernel, 'alice', [path.join(allowedDir, 'ok.txt'), secret], 'reader');
    await notebook.run(0);
    await notebook.run(1);
    const [allowed, refused] = await notebook.state();
    expect(allowed).toMatchObject({ status: 'success', stdout: 'allowed\n', error: null });
    expect(refused!.status).toBe('error');
    expect(refused!.error).toContain(`may not read ${secret}`);
    expect(refused!.error).toContain('readPaths');
    expect(refused!.error).toContain(allowedDir);
    expect(refused!.error).not.toContain('Access to this API has been restricted');
  });
});
