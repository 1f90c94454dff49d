import { clerkDisplayName } from './clerk-name';

describe('clerkDisplayName: the presence name from Clerk\'s browser-side user', () => {
  const email = (address: string) => ({ emailAddress: address });
  const ada = { fullName: 'Ada Lovelace', firstName: 'Ada', lastName: 'Lovelace', username: 'ada', primaryEmailAddress: email('ada@example.com'), emailAddresses: [email('ada@example.com')] };

  it('takes the full name first', () => {
    expect(clerkDisplayName(ada)).toBe('Ada Lovelace');
  });

  it('builds the name from first and last name when Clerk gave no full name, or either alone', () => {
    expect(clerkDisplayName({ ...ada, fullName: null })).toBe('Ada Lovelace');
    expect(clerkDisplayName({ ...ada, fullName: null, lastName: null })).toBe('Ada');
    expect(clerkDisplayName({ ...ada, fullName: null, firstName: '', lastName: 'Lovelace' })).toBe('Lovelace');
  });

  it('falls back to the primary e-mail address, then another address, then the username', () => {
    const nameless = { ...ada, fullName: null, firstName: null, lastName: null };
    expect(clerkDisplayName({ ...nameless, primaryEmailAddress: email('primary@example.com'), emailAddresses: [email('other@example.com'), email('primary@example.com')] })).toBe('primary@example.com');
    expect(clerkDisplayName({ ...nameless, primaryEmailAddress: null, emailAddresses: [email('other@example.com')] })).toBe('other@example.com');
    expect(clerkDisplayName({ ...nameless, primaryEmailAddress: null, emailAddresses: [] })).toBe('ada');
  });

  it('ignores blank parts and tidies whitespace', () => {
    expect(clerkDisplayName({ fullName: '  Ada \n Lovelace ', username: 'ada' })).toBe('Ada Lovelace');
    expect(clerkDisplayName({ fullName: '   ', firstName: ' ', lastName: null, primaryEmailAddress: email(' '), username: ' ada ' })).toBe('ada');
  });

  it('is null without a user or without any name, address or username', () => {
    expect(clerkDisplayName(null)).toBeNull();
    expect(clerkDisplayName(undefined)).toBeNull();
    expect(clerkDisplayName({ fullName: null, firstName: null, lastName: null, username: null, primaryEmailAddress: null, emailAddresses: [] })).toBeNull();
  });
});
