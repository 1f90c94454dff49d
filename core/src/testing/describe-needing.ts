/**
 * `describe` when what the tests need is there (`missing` is null). Otherwise
 * one failing test under CI=true, since a CI without it is a broken CI, and a
 * loud skip elsewhere; both say what is missing and how to get it.
 */
export function describeNeeding(name: string, missing: string | null, body: () => void): void {
  if (missing === null) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has what it needs', () => {
        throw new Error(`CI=true but ${missing}.`);
      });
    });
  } else {
    // eslint-disable-next-line no-console
    console.warn(`Skipping "${name}": ${missing}.`);
    describe.skip(name, body);
  }
}
