import { DefaultLanguageRegistry, languageRegistryPlugin } from '../language/registry';
import { LanguageRegistry } from '../tokens';
import { fakeLanguage } from '../testing/fake-language';
import { definePlugin } from './define-plugin';
import { PluginHost } from './plugin-host';
import { createToken } from './tokens';

const Greeter = createToken<{ greet(name: string): string }>('test:greeter');
const Counter = createToken<{ count: number }>('test:counter');

describe('plugin host', () => {
  it('activates plugins after the ones they require, with typed dependencies', async () => {
    const order: string[] = [];
    const greeter = definePlugin({
      id: 'test:greeter',
      provides: Greeter,
      requires: { counter: Counter },
      activate: (_ctx, { counter }) => {
        order.push('greeter');
        return { greet: (name: string) => `hello ${name} #${counter.count}` };
      },
    });
    const counter = definePlugin({ id: 'test:counter', provides: Counter, activate: () => (order.push('counter'), { count: 7 }) });
    const host = new PluginHost().register(greeter, counter);
    await host.start();
    expect(order).toEqual(['counter', 'greeter']);
    expect(host.get(Greeter).greet('ada')).toBe('hello ada #7');
  });

  it('registers a language through the registry token', async () => {
    const language = definePlugin({
      id: 'test:fake-language',
      requires: { languages: LanguageRegistry },
      activate: (_ctx, { languages }) => languages.register(fakeLanguage()),
    });
    const host = new PluginHost().register(languageRegistryPlugin, language);
    await host.start();
    expect(host.get(LanguageRegistry).get('fake')?.id).toBe('fake');
  });

  it('refuses a duplicate id, a missing provider, two providers and a cycle, naming the plugins', async () => {
    const a = definePlugin({ id: 'a', activate: () => undefined });
    expect(() => new PluginHost().register(a, a)).toThrow(/"a": registered twice/);
    const needy = definePlugin({ id: 'needy', requires: { greeter: Greeter }, activate: () => undefined });
    await expect(new PluginHost().register(needy).start()).rejects.toThrow(/"needy": requires "test:greeter", but no registered plugin provides it/);
    const one = definePlugin({ id: 'one', provides: Counter, activate: () => ({ count: 1 }) });
    const two = definePlugin({ id: 'two', provides: Counter, activate: () => ({ count: 2 }) });
    await expect(new PluginHost().register(one, two).start()).rejects.toThrow(/which "one" provides too/);
    const x = definePlugin({ id: 'x', provides: Counter, requires: { g: Greeter }, activate: () => ({ count: 1 }) });
    const y = definePlugin({ id: 'y', provides: Greeter, requires: { c: Counter }, activate: () => ({ greet: () => '' }) });
    await expect(new PluginHost().register(x, y).start()).rejects.toThrow(/cycle: x → y → x/);
  });

  it('times out a plugin whose activate never returns, and wraps one that throws', async () => {
    const stuck = definePlugin({ id: 'stuck', activate: () => new Promise<void>(() => undefined) });
    await expect(new PluginHost({ activateTimeoutMs: 50 }).register(stuck).start()).rejects.toMatchObject({ code: 'RNB_ERR_PLUGIN_TIMEOUT' });
    const broken = definePlugin({ id: 'broken', activate: () => { throw new Error('no config'); } });
    await expect(new PluginHost().register(broken).start()).rejects.toThrow(/"broken": activate failed: no config/);
  });

  it('gives optional dependencies as undefined when nothing provides them', async () => {
    let seen: unknown = 'unset';
    const p = definePlugin({ id: 'opt', optional: { greeter: Greeter }, activate: (_ctx, { greeter }) => void (seen = greeter) });
    await new PluginHost().register(p).start();
    expect(seen).toBeUndefined();
  });

  it('refuses an invalid or duplicate language id', () => {
    const registry = new DefaultLanguageRegistry();
    registry.register(fakeLanguage());
    expect(() => registry.register(fakeLanguage())).toThrow(/registered twice/);
    expect(() => registry.register(fakeLanguage('Bad Id'))).toThrow(/invalid/);
  });
});
