import type { ApiClient } from '../api/http';

/**
 * The name others see beside this page's cursor, decided once per page: the sign-in's own name for the user in the
 * browser (Clerk's first and last name, else e-mail address), else the host's (`GET /api/me`: Clerk's through its
 * Backend API, or without sign-in the OS account of whoever runs the server), else null (the page keeps this
 * browser's guest name).
 */
export async function presenceName(api: Pick<ApiClient, 'me'>, fromSignIn?: () => string | null): Promise<string | null> {
  const signedIn = fromSignIn?.()?.trim();
  if (signedIn) return signedIn.slice(0, 100);
  try {
    return (await api.me()).name;
  } catch {
    return null; // an older host without /api/me, or offline: the guest name stays
  }
}
