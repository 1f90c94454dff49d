/**
 * Issue 19 item 7: outputs past a cell's budget per run (50 outputs, 8 Mi
 * characters) are not dropped silently: one note in the cell says so.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LanguageDefinition } from '../language/language';
import { createTestKernel, type TestKernel } from '../testing';

/** A runtime that shows `count` outputs of `size` characters each, from the cell's code "count size". */
const RUNTIME = `module.exports = () => ({
  run(cell, io) {
    const [count, size] = cell.code.split(' ').map(Number);
    for (let i = 0; i < count; i++) io.output({ mime_type: 'text/plain', data: String(i % 10).repeat(size) });
  },
});
`;

let dir: string;
let kernel: TestKernel;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnb-outputs-'));
  const module = path.join(dir, 'many-outputs.js');
  fs.writeFileSync(module, RUNTIME);
  // Kernels run as another uid when the server is root: the runtime must be readable by it.
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(module, 0o644);
  const language: LanguageDefinition = { id: 'many', analyse: () => ({ defines: [], references: [] }), runtime: { module, options: null } };
  kernel = await createTestKernel({ languages: [language] });
}, 30_000);
afterAll(async () => {
  await kernel?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function outputsOf(code: string): Promise<unknown[]> {
  const view = await kernel.service.createNotebook('ann');
  const cell = await kernel.service.createCell('ann', view.id, { type: 'many', code });
  await kernel.service.runCell('ann', view.id, cell.id);
  await kernel.service.whenIdle('ann', view.id);
  const stored = (await kernel.service.getNotebook('ann', view.id)).cells.find((c) => c.id === cell.id)!;
  expect(stored.status).toBe('success');
  return stored.outputs.map((o) => (typeof o.data === 'string' && o.data.length > 100 ? `${o.data.length} characters` : o.data));
}

it('shows 50 outputs, then one note instead of the rest', async () => {
  const outputs = await outputsOf('60 1');
  expect(outputs).toHaveLength(51);
  expect(outputs[49]).toBe('9');
  expect(outputs[50]).toBe('Further outputs not shown: a cell shows at most 50 outputs per run.');
});

it('past 8 MB of outputs in all, says which output was not shown', async () => {
  const outputs = await outputsOf(`3 ${3 * 1024 * 1024}`);
  expect(outputs).toEqual([`${3 * 1024 * 1024} characters`, `${3 * 1024 * 1024} characters`, "Output of 3 MB not shown: a cell's outputs take at most 8 MB in all."]);
});
