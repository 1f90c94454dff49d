/**
 * The parts of Clerk's browser-side user (`useUser().user`, a `UserResource`) a display name is made from; a
 * structural type, so the choice is testable without Clerk's SDK.
 */
export interface ClerkUserNames {
  fullName?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  username?: string | null;
  primaryEmailAddress?: { emailAddress: string } | null;
  emailAddresses?: readonly { emailAddress: string }[];
}

/**
 * The name others see beside this user's cursor and in "who is here", as the page knows the user from Clerk: the
 * full name, else the primary e-mail address (else the first one), else the username; null when Clerk has none of
 * them (the page then asks the host, `GET /api/me`, and keeps the browser's guest name if that has none either).
 * The same order as the host's Clerk plugin (`plugins/auth-clerk/src/clerk-users.ts`), so a user is named alike
 * whichever side named them; e-mail before username because shares are made by e-mail address, so collaborators
 * recognise it.
 */
export function clerkDisplayName(user: ClerkUserNames | null | undefined): string | null {
  if (!user) return null;
  return (
    clean(user.fullName) ??
    clean([user.firstName, user.lastName].filter((part) => typeof part === 'string').join(' ')) ??
    clean(user.primaryEmailAddress?.emailAddress) ??
    clean(user.emailAddresses?.[0]?.emailAddress) ??
    clean(user.username)
  );
}

/** Whitespace runs as one space, trimmed; empty is none. */
function clean(text: string | null | undefined): string | null {
  const tidy = typeof text === 'string' ? text.replace(/\s+/g, ' ').trim() : '';
  return tidy === '' ? null : tidy;
}
