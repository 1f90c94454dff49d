import type { LanguageInfo, NotebookSettings, SettingFieldDescription, SettingValue } from '../api/types';

/** What the form holds for one field: text for string, number and enum inputs, a flag for a checkbox. */
export type DraftValue = string | boolean;

/** One plugin's form: field → what the user sees; secret fields start empty (write-only). */
export interface PluginDraft {
  values: { [field: string]: DraftValue };
  /** Secret fields whose saved value the user chose to remove. */
  cleared: string[];
}

export type SettingsChange = { [field: string]: SettingValue | null };

/** The languages whose plugins declare settings, in the host's order. */
export function languagesWithSettings(languages: readonly LanguageInfo[]): LanguageInfo[] {
  return languages.filter((l) => (l.settings ?? []).length > 0);
}

export function initialDraft(fields: readonly SettingFieldDescription[], saved: NotebookSettings[string] | undefined): PluginDraft {
  const values: PluginDraft['values'] = {};
  for (const field of fields) {
    const value = saved?.[field.name];
    if (field.secret) values[field.name] = '';
    else if (field.type === 'boolean') values[field.name] = value === true;
    else values[field.name] = value === undefined ? '' : String(value);
  }
  return { values, cleared: [] };
}

/**
 * What to send for one plugin: only the fields the user changed. A secret is sent when typed
 * (left empty it keeps its saved value) or removed; an emptied field is cleared (null).
 */
export function settingsChange(fields: readonly SettingFieldDescription[], saved: NotebookSettings[string] | undefined, draft: PluginDraft): { change: SettingsChange } | { error: string } {
  const change: SettingsChange = {};
  for (const field of fields) {
    const before = saved?.[field.name];
    const value = draft.values[field.name];
    if (field.secret) {
      if (draft.cleared.includes(field.name)) change[field.name] = null;
      else if (typeof value === 'string' && value !== '') change[field.name] = value;
      continue;
    }
    if (field.type === 'boolean') {
      if (value !== (before === true)) change[field.name] = value === true;
      continue;
    }
    const text = typeof value === 'string' ? value.trim() : '';
    if (text === '') {
      if (before !== undefined) change[field.name] = null;
      continue;
    }
    if (field.type === 'number') {
      const number = Number(text);
      if (!Number.isFinite(number)) return { error: `${field.label} must be a number.` };
      if (number !== before) change[field.name] = number;
    } else if (text !== before) change[field.name] = text;
  }
  return { change };
}

interface FormProps {
  language: LanguageInfo;
  saved: NotebookSettings[string] | undefined;
  draft: PluginDraft;
  onChange(draft: PluginDraft): void;
}

/** The fields one plugin declares, as form inputs generated from its declaration. */
export function PluginSettingsFieldset({ language, saved, draft, onChange }: FormProps) {
  const set = (name: string, value: DraftValue): void => onChange({ ...draft, values: { ...draft.values, [name]: value } });
  const toggleCleared = (name: string, cleared: boolean): void =>
    onChange({ ...draft, cleared: cleared ? [...draft.cleared, name] : draft.cleared.filter((n) => n !== name) });
  return (
    <fieldset className="form__field" data-plugin-settings={language.id}>
      <legend>{language.display_name}</legend>
      {(language.settings ?? []).map((field) => {
        const id = `setting-${language.id}-${field.name}`;
        const value = draft.values[field.name];
        const savedValue = saved?.[field.name];
        const hint = field.description ? <p className="form__hint">{field.description}</p> : null;
        if (field.type === 'boolean') {
          return (
            <div key={field.name}>
              <label className="form__radio">
                <input id={id} type="checkbox" checked={value === true} onChange={(e) => set(field.name, e.target.checked)} />
                {field.label}
              </label>
              {hint}
            </div>
          );
        }
        return (
          <div key={field.name} className="form__field">
            <label htmlFor={id}>{field.label}</label>
            {field.secret && savedValue !== undefined && (
              <p className="form__hint">
                Saved: <code data-testid={`${id}-masked`}>{String(savedValue)}</code>. Type a new one to replace it.{' '}
                <label className="form__radio">
                  <input type="checkbox" checked={draft.cleared.includes(field.name)} onChange={(e) => toggleCleared(field.name, e.target.checked)} />
                  Remove it
                </label>
              </p>
            )}
            {field.type === 'enum' ? (
              <select id={id} value={String(value)} onChange={(e) => set(field.name, e.target.value)}>
                <option value="">(not set)</option>
                {(field.options ?? []).map((option) => <option key={option} value={option}>{option}</option>)}
              </select>
            ) : (
              <input
                id={id}
                type={field.secret ? 'password' : field.type === 'number' ? 'number' : 'text'}
                autoComplete="off"
                spellCheck={false}
                value={String(value)}
                placeholder={field.secret && savedValue !== undefined ? 'Leave empty to keep the saved value' : ''}
                onChange={(e) => set(field.name, e.target.value)}
              />
            )}
            {hint}
          </div>
        );
      })}
    </fieldset>
  );
}
