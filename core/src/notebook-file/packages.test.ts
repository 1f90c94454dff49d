import { packagesOfSettings, parsePackageList, settingsWithPackages } from './packages';

describe('a notebook\'s packages in its python settings', () => {
  it('keeps a list through the setting exactly, ranges with commas included, and leaves other settings alone', () => {
    const packages = ['greeter-pkg==1.2.0', 'numpy>=1,<2', "pkg[extra]==1; python_version < '3.13'", 'requests >=2, <3'];
    const settings = settingsWithPackages({ python: { other: 1 }, sql: { row_limit: 5 } }, packages);
    expect(settings.python).toEqual({ other: 1, packages: "greeter-pkg==1.2.0, numpy>=1,<2, pkg[extra]==1; python_version < '3.13', requests >=2, <3" });
    expect(packagesOfSettings(settings)).toEqual(packages);
    expect(settingsWithPackages(settingsWithPackages({}, packages), [])).toEqual({});
    expect(settingsWithPackages(settings, []).sql).toEqual({ row_limit: 5 });
  });

  it('reads what a person types in the form: line ends or commas, blanks and repeats dropped', () => {
    expect(parsePackageList(' a==1 ,, b\nc==2, a==1 ')).toEqual(['a==1', 'b', 'c==2']);
    expect(parsePackageList(undefined)).toEqual([]);
  });
});
