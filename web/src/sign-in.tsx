import { type FormEvent, useState } from 'react';
import { describeError, session } from './api';
import { startOidcSignIn } from './oidc';
import { usePageTitle } from './router';

/** The demo workspace's people (local/seed.ts), for the dev identity provider's sign-in. */
const SEED_EMAILS = [
  'alice@acme.example',
  'carol@acme.example',
  'bob@acme.example',
  'dave@acme.example',
  'gina@partner.example',
];

export function SignInPage(props: { onSignedIn: () => void }) {
  usePageTitle('Sign in');
  return (
    <main id="main" className="narrow">
      <h1 tabIndex={-1}>Sign in to Latchkey</h1>
      {__LOCAL__ ? <DevSignIn onSignedIn={props.onSignedIn} /> : <OidcSignIn />}
    </main>
  );
}

function OidcSignIn() {
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="card">
      <button
        type="button"
        onClick={() => startOidcSignIn().catch((caught) => setError(describeError(caught)))}
      >
        Sign in with your company account
      </button>
      {error ? <p role="alert">{error}</p> : null}
    </div>
  );
}

/** Local builds only: the dev identity provider signs a token for any email (`POST /_local/token`). */
function DevSignIn(props: { onSignedIn: () => void }) {
  const [email, setEmail] = useState(SEED_EMAILS[0] as string);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const response = await fetch('/_local/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      });
      const body = (await response.json()) as { token?: string; message?: string };
      if (!response.ok || !body.token) throw new Error(body.message ?? 'The dev identity provider refused.');
      session.signIn(body.token);
      props.onSignedIn();
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  return (
    <form onSubmit={submit} className="card">
      <p>Local stack: the development identity provider signs you in as anyone.</p>
      <label htmlFor="dev-email">Email</label>
      <input
        id="dev-email"
        type="email"
        list="seed-users"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <datalist id="seed-users">
        {SEED_EMAILS.map((seeded) => (
          <option key={seeded} value={seeded} />
        ))}
      </datalist>
      {error ? <p role="alert">{error}</p> : null}
      <button type="submit">Sign in</button>
    </form>
  );
}
