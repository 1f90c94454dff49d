import { PACKAGES_SETTING } from './packages-setting';

describe('the python.packages setting', () => {
  it('accepts pins, bare names, ranges and extras, separated by commas', () => {
    expect(() => PACKAGES_SETTING.validate!('greeter-pkg==1.2.0, rich, numpy>=1,<2, pkg[extra]==1')).not.toThrow();
  });

  it('refuses what is not a requirement, naming it', () => {
    expect(() => PACKAGES_SETTING.validate!('greeter-pkg==1.2.0, ****')).toThrow(/"\*\*\*\*" is not a requirement/);
    expect(() => PACKAGES_SETTING.validate!('two words')).toThrow(/"two words" is not a requirement/);
  });

  it('is not secret: the page shows it and files carry it', () => {
    expect(PACKAGES_SETTING).toMatchObject({ name: 'packages', type: 'string', label: 'Packages' });
    expect(PACKAGES_SETTING.secret).toBeUndefined();
  });
});
