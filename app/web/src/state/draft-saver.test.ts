import { ApiError } from '../api/http';
import { DraftSaver } from './draft-saver';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(k: string): string | null { return this.items.get(k) ?? null; }
  setItem(k: string, v: string): void { this.items.set(k, v); }
  removeItem(k: string): void { this.items.delete(k); }
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

function saverWith(save: (id: string, code: string) => Promise<void>, storage = new MemoryStorage()) {
  const errors: unknown[] = [];
  const saver = new DraftSaver({ scope: 'nb', delayMs: 100, save, storage, onError: (_id, e) => errors.push(e) });
  return { saver, storage, errors };
}

describe('DraftSaver', () => {
  it('saves once after the typing pauses, with the last code', async () => {
    const saved: string[] = [];
    const { saver } = saverWith(async (_id, code) => { saved.push(code); });
    saver.edit('a', 'x');
    saver.edit('a', 'x =');
    saver.edit('a', 'x = 1');
    expect(saver.state('a')).toBe('pending');
    await jest.advanceTimersByTimeAsync(99);
    expect(saved).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(saved).toEqual(['x = 1']);
    expect(saver.state('a')).toBe('saved');
    expect(saver.draft('a')).toBeUndefined();
  });

  it('keeps the draft (and a stored copy) while offline and sends it on flushAll', async () => {
    let online = false;
    const saved: string[] = [];
    const { saver, storage } = saverWith(async (_id, code) => {
      if (!online) throw new ApiError(0, 'NETWORK', 'down');
      saved.push(code);
    });
    saver.edit('a', 'typed while offline');
    await jest.advanceTimersByTimeAsync(100);
    expect(saver.state('a')).toBe('offline');
    expect(saver.draft('a')).toBe('typed while offline');
    expect(JSON.parse(storage.getItem('rnb:draft:nb:a')!)).toEqual({ code: 'typed while offline', base: null });
    online = true;
    await saver.flushAll();
    expect(saved).toEqual(['typed while offline']);
    expect(saver.state('a')).toBe('saved');
    expect(storage.items.size).toBe(0);
  });

  it('restores a stored draft that the host never got, and forgets one it has', () => {
    const storage = new MemoryStorage();
    storage.setItem('rnb:draft:nb:a', 'newer code');
    storage.setItem('rnb:draft:nb:b', 'same');
    const { saver } = saverWith(async () => undefined, storage);
    expect(saver.restore('a', 'older code')).toBe('newer code');
    expect(saver.state('a')).toBe('pending');
    expect(saver.restore('b', 'same')).toBeUndefined();
    expect(storage.getItem('rnb:draft:nb:b')).toBeNull();
  });

  it('saves again when typing continued during a save', async () => {
    const saved: string[] = [];
    let release: () => void = () => undefined;
    const { saver } = saverWith((_id, code) => {
      saved.push(code);
      return saved.length === 1 ? new Promise<void>((r) => { release = r; }) : Promise.resolve();
    });
    saver.edit('a', 'one');
    await jest.advanceTimersByTimeAsync(100);
    expect(saver.state('a')).toBe('saving');
    saver.edit('a', 'one two');
    release();
    await jest.advanceTimersByTimeAsync(100);
    expect(saved).toEqual(['one', 'one two']);
    expect(saver.state('a')).toBe('saved');
  });

  it('drops a draft the host refuses (not a network error) and reports it', async () => {
    const { saver, errors } = saverWith(async () => { throw new ApiError(404, 'RNB_ERR_CELL_NOT_FOUND', 'gone'); });
    saver.edit('a', 'x');
    await expect(saver.flush('a')).rejects.toThrow('gone');
    expect(saver.draft('a')).toBeUndefined();
    expect(errors).toHaveLength(1);
  });
  it('sends the code a draft started from as its base, and after a save builds on what was saved', async () => {
    const sent: Array<[string, string | undefined]> = [];
    const host = { a: 'v = 1' };
    const saver = new DraftSaver({
      scope: 'nb', delayMs: 100, storage: null,
      hostCode: () => host.a,
      save: async (_id, code, base) => { sent.push([code, base]); host.a = code; },
    });
    saver.edit('a', 'v = 12');
    await jest.advanceTimersByTimeAsync(100);
    saver.edit('a', 'v = 123');
    await jest.advanceTimersByTimeAsync(100);
    expect(sent).toEqual([['v = 12', 'v = 1'], ['v = 123', 'v = 12']]);
  });

  it('keeps the text on an edit conflict, saves nothing until resolved, then saves on the new base', async () => {
    const sent: Array<[string, string | undefined]> = [];
    const conflicts: Array<[string, string | undefined]> = [];
    let host = 'theirs';
    const storage = new MemoryStorage();
    const saver = new DraftSaver({
      scope: 'nb', delayMs: 100, storage,
      hostCode: () => 'base',
      save: async (_id, code, base) => {
        sent.push([code, base]);
        if (base !== undefined && base !== host && code !== host) throw new ApiError(409, 'RNB_ERR_EDIT_CONFLICT', 'changed', { current_code: host });
        host = code;
      },
      onConflict: (id, current) => conflicts.push([id, current]),
    });
    saver.edit('a', 'mine');
    await jest.advanceTimersByTimeAsync(100);
    expect(conflicts).toEqual([['a', 'theirs']]);
    expect(saver.state('a')).toBe('conflict');
    expect(saver.draft('a')).toBe('mine');
    expect(JSON.parse(storage.getItem('rnb:draft:nb:a')!)).toEqual({ code: 'mine', base: 'base' });
    // Typing on, waiting, flushing: nothing goes out while the conflict is open.
    saver.edit('a', 'mine!');
    await jest.advanceTimersByTimeAsync(1000);
    await expect(saver.flush('a')).rejects.toThrow(/conflict/);
    expect(sent).toHaveLength(1);
    await saver.resolve('a', 'theirs');
    expect(sent[1]).toEqual(['mine!', 'theirs']);
    expect(host).toBe('mine!');
    expect(saver.state('a')).toBe('saved');
    expect(storage.items.size).toBe(0);
  });

  it('a draft equal to what the host now holds is saved: no stale "Unsaved"', () => {
    const { saver } = saverWith(async () => undefined);
    saver.edit('a', 'same');
    expect(saver.state('a')).toBe('pending');
    saver.hostHas('a', 'other');
    expect(saver.state('a')).toBe('pending');
    saver.hostHas('a', 'same');
    expect(saver.state('a')).toBe('saved');
    expect(saver.draft('a')).toBeUndefined();
  });

  it('restores a stored draft with its own base, and reads the bare code older pages stored', () => {
    const storage = new MemoryStorage();
    storage.setItem('rnb:draft:nb:a', JSON.stringify({ code: 'offline edit', base: 'what it started from' }));
    storage.setItem('rnb:draft:nb:b', 'bare code');
    const { saver } = saverWith(async () => undefined, storage);
    expect(saver.restore('a', 'host moved on')).toBe('offline edit');
    expect(saver.base('a')).toBe('what it started from');
    expect(saver.restore('b', 'x')).toBe('bare code');
  });
});
