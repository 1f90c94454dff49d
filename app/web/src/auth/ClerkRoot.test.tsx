/** @jest-environment jsdom */
/**
 * The page under Clerk sign-in: the name others see in presence comes from Clerk's browser-side user (`useUser`),
 * else from the host (`GET /api/me`, with the session token from `useAuth().getToken`). Clerk's real browser SDK
 * loads from Clerk's servers, so `@clerk/clerk-react` is replaced by a fake with the same components and hooks,
 * driven by `mockClerk`. The page itself is replaced by a probe that decides the presence name as `NotebookPage` does
 * (`presenceName(api, userName)`); the no-sign-in path through the real page is covered in Chromium
 * (app/web/e2e/editing.test.ts, "Named as the user").
 */
import { act, cleanup, render, screen } from '@testing-library/react';
import type { Services } from '../services';
import { ClerkRoot } from './ClerkRoot';

interface FakeUser {
  fullName: string | null;
  firstName: string | null;
  lastName: string | null;
  username: string | null;
  primaryEmailAddress: { emailAddress: string } | null;
  emailAddresses: { emailAddress: string }[];
}

const mockClerk: { signedIn: boolean; user: FakeUser | null; token: string; servicesSeen: Services[] } = { signedIn: true, user: null, token: 'sess_token_1', servicesSeen: [] };

jest.mock('@clerk/clerk-react', () => {
  const React = jest.requireActual<typeof import('react')>('react');
  type Children = { children?: import('react').ReactNode };
  return {
    ClerkProvider: ({ children }: Children) => React.createElement(React.Fragment, null, children),
    SignedIn: ({ children }: Children) => (mockClerk.signedIn ? React.createElement(React.Fragment, null, children) : null),
    SignedOut: ({ children }: Children) => (mockClerk.signedIn ? null : React.createElement(React.Fragment, null, children)),
    SignIn: () => React.createElement('div', { 'data-testid': 'clerk-sign-in' }),
    SignInButton: ({ children }: Children) => React.createElement(React.Fragment, null, children),
    UserButton: () => React.createElement('span', { 'data-testid': 'clerk-user-button' }),
    useAuth: () => ({ isSignedIn: mockClerk.signedIn, getToken: async () => mockClerk.token }),
    useUser: () => ({ isLoaded: true, isSignedIn: mockClerk.signedIn, user: mockClerk.user }),
  };
});

jest.mock('../App', () => {
  const React = jest.requireActual<typeof import('react')>('react');
  const { useServices } = jest.requireActual<typeof import('../services')>('../services');
  const { presenceName } = jest.requireActual<typeof import('../state/presence-name')>('../state/presence-name');
  /** Decides the presence name once, as NotebookPage does when a notebook opens. */
  function PresenceProbe({ userSlot }: { userSlot?: import('react').ReactNode }) {
    const services = useServices();
    mockClerk.servicesSeen.push(services);
    const [name, setName] = React.useState<string>('deciding');
    React.useEffect(() => {
      void presenceName(services.api, services.userName).then((decided) => setName(decided ?? 'guest name kept'));
    }, [services]);
    return React.createElement('div', null, React.createElement('output', { 'data-testid': 'presence-name' }, name), userSlot);
  }
  return { ...jest.requireActual<typeof import('../App')>('../App'), App: PresenceProbe };
});

const ada: FakeUser = { fullName: 'Ada Lovelace', firstName: 'Ada', lastName: 'Lovelace', username: 'ada', primaryEmailAddress: { emailAddress: 'ada@example.com' }, emailAddresses: [{ emailAddress: 'ada@example.com' }] };
const nameless: FakeUser = { fullName: null, firstName: null, lastName: null, username: null, primaryEmailAddress: null, emailAddresses: [] };

/** The host's answers: `GET /api/me` names the user "Name From Host"; the requests are kept. */
const hostRequests: { url: string; authorization: string | undefined }[] = [];
beforeEach(() => {
  hostRequests.length = 0;
  mockClerk.servicesSeen.length = 0;
  mockClerk.signedIn = true;
  window.fetch = (async (url: string, init?: RequestInit) => {
    hostRequests.push({ url: String(url), authorization: (init?.headers as Record<string, string> | undefined)?.Authorization });
    // jsdom has no Response: the client reads only these three members.
    return { ok: true, status: 200, text: async () => JSON.stringify({ user_id: 'user_ada', name: 'Name From Host' }) } as Response;
  }) as typeof fetch;
});
afterEach(cleanup);

async function presenceShown(): Promise<string> {
  const output = await screen.findByTestId('presence-name');
  await screen.findByText((text, element) => element === output && text !== 'deciding');
  return output.textContent ?? '';
}

describe('ClerkRoot: the signed-in user\'s name in presence', () => {
  it.each<[string, FakeUser, string]>([
    ['the full name', ada, 'Ada Lovelace'],
    ['first and last name when Clerk has no full name', { ...ada, fullName: null }, 'Ada Lovelace'],
    ['the e-mail address without a name', { ...ada, fullName: null, firstName: null, lastName: null }, 'ada@example.com'],
    ['the username without a name or an address', { ...nameless, username: 'ada' }, 'ada'],
  ])('shows %s, without asking the host', async (_case, user, expected) => {
    mockClerk.user = user;
    render(<ClerkRoot publishableKey="pk_test_fake" />);
    expect(await presenceShown()).toBe(expected);
    expect(screen.getByTestId('clerk-user-button')).toBeTruthy();
    expect(hostRequests).toEqual([]);
  });

  it('asks the host (with the Clerk session token) when Clerk knows no name, address or username', async () => {
    mockClerk.user = nameless;
    render(<ClerkRoot publishableKey="pk_test_fake" />);
    expect(await presenceShown()).toBe('Name From Host');
    expect(hostRequests).toEqual([{ url: expect.stringMatching(/\/api\/me$/), authorization: 'Bearer sess_token_1' }]);
  });

  it('keeps the guest name when neither Clerk nor the host has a name', async () => {
    mockClerk.user = nameless;
    window.fetch = (async () => ({ ok: true, status: 200, text: async () => JSON.stringify({ user_id: 'user_ada', name: null }) }) as Response) as typeof fetch;
    render(<ClerkRoot publishableKey="pk_test_fake" />);
    expect(await presenceShown()).toBe('guest name kept');
  });

  it('follows a profile change with the same services object (the page\'s effects do not restart)', async () => {
    mockClerk.user = ada;
    const { rerender } = render(<ClerkRoot publishableKey="pk_test_fake" />);
    expect(await presenceShown()).toBe('Ada Lovelace');
    mockClerk.user = { ...ada, fullName: 'Ada King', firstName: 'Ada', lastName: 'King' };
    act(() => rerender(<ClerkRoot publishableKey="pk_test_fake" />));
    const services = new Set(mockClerk.servicesSeen);
    expect(services.size).toBe(1);
    expect([...services][0]!.userName?.()).toBe('Ada King');
  });

  it('shows Clerk\'s sign-in, and no page, when signed out', () => {
    mockClerk.signedIn = false;
    render(<ClerkRoot publishableKey="pk_test_fake" />);
    expect(screen.getByTestId('clerk-sign-in')).toBeTruthy();
    expect(screen.queryByTestId('presence-name')).toBeNull();
  });
});
