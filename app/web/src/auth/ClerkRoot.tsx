import { ClerkProvider, SignedIn, SignedOut, SignIn, SignInButton, UserButton, useAuth, useUser } from '@clerk/clerk-react';
import { useMemo, useRef } from 'react';
import { ApiClient } from '../api/http';
import { App, parseRoute, pathFromBase } from '../App';
import { ServicesProvider } from '../services';
import { clerkDisplayName } from './clerk-name';

/**
 * Clerk sign-in. The token for HTTP and the socket always comes from Clerk's `getToken()`, which
 * returns a fresh short-lived session token; the socket sends it again with `refresh_auth` before
 * the previous one expires.
 */
export function ClerkRoot({ publishableKey }: { publishableKey: string }) {
  return (
    <ClerkProvider publishableKey={publishableKey}>
      <SignedIn>
        <SignedInApp />
      </SignedIn>
      <SignedOut>
        {isAppRoute() ? (
          <SignedOutApp />
        ) : (
          <main className="page page--center">
            <h1>Sign in to your notebooks</h1>
            <SignIn routing="virtual" />
          </main>
        )}
      </SignedOut>
    </ClerkProvider>
  );
}

/** An app link opened signed out: a public app opens as it is (the server decides), with a way to sign in. */
function isAppRoute(): boolean {
  return parseRoute(window.location.hash, pathFromBase()).kind === 'app';
}

const noToken = async (): Promise<null> => null;

function SignedOutApp() {
  const services = useMemo(() => ({ api: new ApiClient(), getToken: noToken }), []);
  return (
    <ServicesProvider services={services}>
      <App userSlot={<SignInButton mode="modal"><button type="button" className="btn btn--ghost btn--small">Sign in</button></SignInButton>} />
    </ServicesProvider>
  );
}

function SignedInApp() {
  const { getToken } = useAuth();
  const { user } = useUser();
  // The services object must stay the same for the whole session (pages key their effects on it),
  // while Clerk may hand a new getToken on each render.
  const latest = useRef(getToken);
  latest.current = getToken;
  // The name others see beside this user's cursor (./clerk-name.ts). A ref: a profile change is picked up without
  // a new services object.
  const name = useRef<string | null>(null);
  name.current = clerkDisplayName(user);
  const services = useMemo(() => {
    const source = (): Promise<string | null> => latest.current();
    return { api: new ApiClient({ getToken: source }), getToken: source, userName: () => name.current };
  }, []);
  return (
    <ServicesProvider services={services}>
      <App userSlot={<UserButton />} />
    </ServicesProvider>
  );
}
