import { ClerkProvider, SignedIn, SignedOut, SignIn, UserButton, useAuth } from '@clerk/clerk-react';
import { useMemo, useRef } from 'react';
import { ApiClient } from '../api/http';
import { App } from '../App';
import { ServicesProvider } from '../services';

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
        <main className="page page--center">
          <h1>Sign in to your notebooks</h1>
          <SignIn routing="virtual" />
        </main>
      </SignedOut>
    </ClerkProvider>
  );
}

function SignedInApp() {
  const { getToken } = useAuth();
  // The services object must stay the same for the whole session (pages key their effects on it),
  // while Clerk may hand a new getToken on each render.
  const latest = useRef(getToken);
  latest.current = getToken;
  const services = useMemo(() => {
    const source = (): Promise<string | null> => latest.current();
    return { api: new ApiClient({ getToken: source }), getToken: source };
  }, []);
  return (
    <ServicesProvider services={services}>
      <App userSlot={<UserButton />} />
    </ServicesProvider>
  );
}
