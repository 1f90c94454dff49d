import { fakeLanguage } from '../testing/fake-language';
import { DefaultLanguageRegistry } from './registry';

describe('DefaultLanguageRegistry: what the page reads of a language', () => {
  it('keeps a language without the optional page fields (older plugins)', () => {
    const registry = new DefaultLanguageRegistry();
    const { displayName: _unused, ...bare } = fakeLanguage('bare');
    registry.register(bare);
    expect(registry.get('bare')?.editor).toBeUndefined();
  });

  it('keeps display name, file extension, editor mode and browser module', () => {
    const registry = new DefaultLanguageRegistry();
    registry.register({ ...fakeLanguage('shout'), displayName: 'Shout', fileExtension: '.shout', editor: { mode: 'shout' }, browserModule: '/opt/shout/browser.js' });
    expect(registry.get('shout')).toMatchObject({ displayName: 'Shout', fileExtension: '.shout', editor: { mode: 'shout' }, browserModule: '/opt/shout/browser.js' });
  });

  it.each([
    [{ fileExtension: 'py' }, /fileExtension/],
    [{ fileExtension: '.p/y' }, /fileExtension/],
    [{ displayName: ' ' }, /displayName/],
    [{ editor: { mode: 'Py thon' } }, /editor\.mode/],
    [{ browserModule: 'relative/browser.js' }, /browserModule/],
    [{ browserModule: '/opt/shout/browser.css' }, /browserModule/],
  ])('refuses %j', (fields, message) => {
    const registry = new DefaultLanguageRegistry();
    expect(() => registry.register({ ...fakeLanguage('x'), ...fields })).toThrow(message);
  });
});
