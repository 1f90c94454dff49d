import type { SettingFieldDescription } from '../api/types';
import { initialDraft, languagesWithSettings, settingsChange } from './PluginSettingsForm';

const FIELDS: SettingFieldDescription[] = [
  { name: 'connection_string', type: 'string', label: 'Connection', secret: true },
  { name: 'schema', type: 'string', label: 'Schema', secret: false },
  { name: 'rows', type: 'number', label: 'Row limit', secret: false },
  { name: 'verbose', type: 'boolean', label: 'Verbose', secret: false },
  { name: 'mode', type: 'enum', label: 'Mode', secret: false, options: ['fast', 'safe'] },
];
const SAVED = { connection_string: 'postgresql://u:****@h/db', schema: 'public', rows: 10, verbose: true, mode: 'fast' };

describe('the settings form generated from a declaration', () => {
  it('starts with the saved values, and secret fields empty (write-only)', () => {
    expect(initialDraft(FIELDS, SAVED)).toEqual({ values: { connection_string: '', schema: 'public', rows: '10', verbose: true, mode: 'fast' }, cleared: [] });
    expect(initialDraft(FIELDS, undefined).values).toEqual({ connection_string: '', schema: '', rows: '', verbose: false, mode: '' });
  });

  it('sends nothing when nothing changed, so a saved secret is kept', () => {
    expect(settingsChange(FIELDS, SAVED, initialDraft(FIELDS, SAVED))).toEqual({ change: {} });
  });

  it('sends only the changed fields: a typed secret, typed values, emptied fields as null, a removed secret as null', () => {
    const draft = initialDraft(FIELDS, SAVED);
    draft.values = { ...draft.values, connection_string: 'postgresql://u:pw@h/db2', schema: '', rows: '25', verbose: false, mode: 'safe' };
    expect(settingsChange(FIELDS, SAVED, draft)).toEqual({ change: { connection_string: 'postgresql://u:pw@h/db2', schema: null, rows: 25, verbose: false, mode: 'safe' } });
    expect(settingsChange(FIELDS, SAVED, { ...initialDraft(FIELDS, SAVED), cleared: ['connection_string'] })).toEqual({ change: { connection_string: null } });
  });

  it('refuses a number field that holds no number, naming it', () => {
    const draft = initialDraft(FIELDS, SAVED);
    draft.values.rows = 'many';
    expect(settingsChange(FIELDS, SAVED, draft)).toEqual({ error: 'Row limit must be a number.' });
  });

  it('lists only the languages that declare settings', () => {
    const language = (id: string, settings?: SettingFieldDescription[]) => ({ id, display_name: id, file_extension: null, editor: { mode: null }, browser_module: null, ...(settings ? { settings } : {}) });
    expect(languagesWithSettings([language('python'), language('sql', FIELDS), language('r', [])]).map((l) => l.id)).toEqual(['sql']);
  });
});
