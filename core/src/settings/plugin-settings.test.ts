import { MemoryNotebookStore } from '../storage/memory-store';
import { SecretBox, withSealedSecrets } from '../storage/secrets';
import type { LanguageDefinition } from '../language/language';
import { createTestKernel, type TestKernel } from '../testing/test-kernel';
import { fakeLanguage } from '../testing/fake-language';
import { notebookWith } from '../testing/notebook-fixture';
import { SettingsCatalog, type SettingField } from './plugin-settings';

const SECRET = 'postgresql://ann:hunter2@db.example/sales';

const FIELDS: SettingField[] = [
  {
    name: 'connection_string',
    type: 'string',
    label: 'Connection',
    secret: true,
    mask: (value) => value.replace(/:[^:@/]*@/, ':****@'),
    validate: (value) => {
      if (!String(value).startsWith('postgresql://')) throw new Error('use postgresql://user:password@host/db');
    },
  },
  { name: 'token', type: 'string', label: 'API token', secret: true },
  { name: 'rows', type: 'number', label: 'Row limit' },
  { name: 'verbose', type: 'boolean', label: 'Verbose' },
  { name: 'mode', type: 'enum', label: 'Mode', options: ['fast', 'safe'] },
];

/** The fake language with settings, and a host service that tells what it received. */
function languageWithSettings(): LanguageDefinition {
  const base = fakeLanguage();
  return { ...base, settings: FIELDS, hostServices: { ...base.hostServices, seen: async (_payload, context) => ({ seen: context.settings }) } };
}

describe('SettingsCatalog', () => {
  const catalog = new SettingsCatalog(() => [{ id: 'fake', settings: FIELDS }]);

  it.each([
    [{ rows: 'ten' }, /fake\.rows is a number/],
    [{ verbose: 'yes' }, /fake\.verbose is true or false/],
    [{ mode: 'slow' }, /fake\.mode is one of fast, safe/],
    [{ connection_string: 'mysql://x' }, /fake\.connection_string: use postgresql:/],
    [{ connection_string: 'x'.repeat(2001) }, /fake\.connection_string is a string of at most 2000/],
    [{ nope: 1 }, /fake\.nope: no such setting/],
  ])('refuses %j naming the field', async (change, message) => {
    await expect(catalog.check('fake', change)).rejects.toMatchObject({ code: 'RNB_ERR_INVALID_INPUT', message: expect.stringMatching(message) });
  });

  it('refuses a plugin that declares no settings', async () => {
    await expect(catalog.check('python', { x: 1 })).rejects.toMatchObject({ code: 'RNB_ERR_INVALID_INPUT', message: expect.stringMatching(/python/) });
  });

  it('masks secret fields with their own mask or fully, and fields of unknown plugins fully', () => {
    expect(catalog.mask({ fake: { connection_string: SECRET, token: 'tok-123', rows: 5 }, gone: { key: 'k-1' } })).toEqual({
      fake: { connection_string: 'postgresql://ann:****@db.example/sales', token: '****', rows: 5 },
      gone: { key: '****' },
    });
  });
});

describe('notebook settings through the service', () => {
  let kernel: TestKernel;
  const inner = new MemoryNotebookStore();
  beforeAll(async () => {
    kernel = await createTestKernel({ languages: [languageWithSettings()], store: withSealedSecrets(inner, SecretBox.fromText(SecretBox.generateText())) });
  });
  afterAll(async () => kernel.close());

  it('stores values, shows secrets masked in the view and the event, and keeps a secret the change omits', async () => {
    const nb = await notebookWith(kernel, 'ann', ['x = 1']);
    const masked = await kernel.service.setPluginSettings('ann', nb.notebookId, 'fake', { connection_string: SECRET, token: 'tok-123', rows: 10, mode: 'safe' });
    expect(masked).toEqual({ connection_string: 'postgresql://ann:****@db.example/sales', token: '****', rows: 10, mode: 'safe' });
    const view = await kernel.service.getNotebook('ann', nb.notebookId);
    expect(view.settings).toEqual({ fake: masked });
    const event = kernel.eventsOf(nb.notebookId, 'notebook_updated').at(-1)!;
    expect(event.settings).toEqual({ fake: masked });
    expect(JSON.stringify([view, kernel.eventsOf(nb.notebookId)])).not.toMatch(/hunter2|tok-123/);

    await kernel.service.setPluginSettings('ann', nb.notebookId, 'fake', { rows: 20, token: null });
    expect((await kernel.service.getNotebook('ann', nb.notebookId)).settings).toEqual({
      fake: { connection_string: 'postgresql://ann:****@db.example/sales', rows: 20, mode: 'safe' },
    });
    const stored = await inner.get('ann', nb.notebookId);
    expect(stored.settings.fake?.connection_string).toMatch(/^rnb-secret:v1:/);
    expect(stored.settings.fake?.rows).toBe(20);
  });

  it('refuses a bad value without changing what is stored', async () => {
    const nb = await notebookWith(kernel, 'ann', ['x = 1']);
    await kernel.service.setPluginSettings('ann', nb.notebookId, 'fake', { rows: 1 });
    await expect(kernel.service.setPluginSettings('ann', nb.notebookId, 'fake', { rows: 2, mode: 'slow' })).rejects.toThrow(/fake\.mode/);
    expect((await kernel.service.getNotebook('ann', nb.notebookId)).settings).toEqual({ fake: { rows: 1 } });
  });

  it("is not found for another owner's notebook", async () => {
    const nb = await notebookWith(kernel, 'ann', ['x = 1']);
    await expect(kernel.service.setPluginSettings('bob', nb.notebookId, 'fake', { rows: 1 })).rejects.toMatchObject({ code: 'RNB_ERR_NOTEBOOK_NOT_FOUND' });
  });

  it("hands the plugin's host services its values in clear", async () => {
    const nb = await notebookWith(kernel, 'ann', ['attack host seen']);
    await kernel.service.setPluginSettings('ann', nb.notebookId, 'fake', { connection_string: SECRET, verbose: true });
    await nb.run(0);
    const [state] = await nb.state();
    expect(state!.stdout + state!.text).toContain(JSON.stringify({ seen: { connection_string: SECRET, verbose: true } }));
  });
});
