import { PACKAGES_FIELD, parsePackageList, type SettingField } from '@rnb/core';

/**
 * The notebook's packages: what `micropip.install` put in, kept with the
 * notebook (every storage, the file's PEP 723 block) and installed again on a
 * new kernel. Not secret. Both runtimes declare it, so a notebook that moves to
 * a server running native CPython keeps (and shows) its list. The page's
 * settings form shows it; removing an entry there forgets the package for the
 * next kernel.
 */
export const PACKAGES_SETTING: SettingField = {
  name: PACKAGES_FIELD,
  type: 'string',
  label: 'Packages',
  description: 'Installed with micropip and installed again on a new kernel: name==version, separated by commas (a range installs the newest version). Remove one to forget it.',
  maxLength: 10_000,
  validate(value) {
    // What the list would drop (a piece not starting with a letter, a digit or a version operator) is refused, not lost.
    const stray = String(value).split(/[,\n]/).find((piece) => piece.trim() !== '' && !/^\s*[A-Za-z0-9<>=!~]/.test(piece));
    if (stray !== undefined) throw new Error(`"${stray.trim().slice(0, 60)}" is not a requirement (a package name, optionally with ==version)`);
    for (const requirement of parsePackageList(value)) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;@].*)?$/.test(requirement)) {
        throw new Error(`"${requirement.slice(0, 60)}" is not a requirement (a package name, optionally with ==version)`);
      }
    }
  },
};
