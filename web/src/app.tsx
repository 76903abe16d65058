import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, describeError, isApiError, session } from './api';
import { ConfirmationProvider } from './confirm-identity';
import { DeviceGate } from './device-trust';
import { CALLBACK_PATH, finishOidcSignIn } from './oidc';
import { AccountPage, AccountsPage } from './pages/accounts';
import { AppWebhooksPage } from './pages/app-webhooks';
import { ConfirmLinkPage } from './pages/confirm-link';
import { DevicesPage } from './pages/devices';
import { NotificationsPage } from './pages/notifications';
import { OrphanedAccountsPage } from './pages/orphaned-accounts';
import { PeoplePage } from './pages/people';
import { PhonePage } from './pages/phone';
import { RotateByHandPage } from './pages/rotate-by-hand';
import { ShareLinkPage } from './pages/share-link';
import { ShareLinksPage } from './pages/share-links';
import { SecretPage, VaultPage, VaultsPage } from './pages/vaults';
import { WorkspacePage } from './pages/workspace';
import { isAdmin } from './roles';
import { Link, navigate, usePath } from './router';
import { SignInPage } from './sign-in';

const NAV = [
  { to: '/accounts', label: 'Accounts' },
  { to: '/vaults', label: 'Vaults' },
  { to: '/share-links', label: 'Share links' },
  { to: '/devices', label: 'Devices' },
  { to: '/notifications', label: 'Notifications' },
  { to: '/workspace', label: 'Workspace' },
  // Workspace admins only: the pages behind it call admin routes, which answer 403 to anyone else.
  { to: '/admin', label: 'Admin', admin: true },
];

type Me = { id: string; name: string; email: string; workspaceRole: string };

export function App() {
  const path = usePath();
  // The magic-link page is public: it must work in any browser, signed in or not.
  if (path === '/confirm') return <ConfirmLinkPage />;
  // So is a share link's page: its recipient has no Latchkey account.
  const shared = /^\/s\/([\w-]+)$/.exec(path);
  if (shared?.[1]) return <ShareLinkPage id={shared[1]} />;
  if (path === CALLBACK_PATH && !__LOCAL__) return <OidcCallback />;
  return <SignedIn />;
}

function OidcCallback() {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    finishOidcSignIn()
      .then(() => navigate('/'))
      .catch((caught) => setError(describeError(caught)));
  }, []);
  return (
    <main id="main" className="narrow">
      {error ? <p role="alert">{error}</p> : <p className="loading">Signing you in…</p>}
    </main>
  );
}

function SignedIn() {
  const queries = useQueryClient();
  const [token, setToken] = useState(session.token);
  const me = useQuery({
    queryKey: ['me', token],
    queryFn: async () => (await api.call('getMe')).user,
    enabled: Boolean(token),
    retry: false,
  });
  const signOut = () => {
    session.signOut();
    queries.clear();
    setToken(null);
  };
  useEffect(() => {
    if (me.error && isApiError(me.error, 'unauthorized')) signOut();
  });
  if (!token) return <SignInPage onSignedIn={() => setToken(session.token())} />;
  if (me.isPending) return <p className="loading">Signing in…</p>;
  if (me.isError) return <p role="alert">{describeError(me.error)}</p>;
  return (
    <ConfirmationProvider>
      {__LOCAL__ && location.pathname === '/phone' ? (
        <PhonePage />
      ) : (
        <DeviceGate>
          <Shell user={me.data} onSignOut={signOut} />
          <Pages me={me.data} />
        </DeviceGate>
      )}
    </ConfirmationProvider>
  );
}

function Shell(props: { user: Me; onSignOut: () => void }) {
  const path = usePath();
  return (
    <header className="shell">
      <a href="#main" className="skip">
        Skip to content
      </a>
      <nav aria-label="Main">
        <span className="brand">Latchkey</span>
        {NAV.filter((item) => !item.admin || isAdmin(props.user.workspaceRole)).map((item) => (
          <Link key={item.to} to={item.to} current={path.startsWith(item.to)}>
            {item.label}
          </Link>
        ))}
        {__LOCAL__ ? <a href="/phone">Phone view</a> : null}
        <span className="spacer" />
        <span className="muted">{props.user.name}</span>
        <button type="button" className="secondary small" onClick={props.onSignOut}>
          Sign out
        </button>
      </nav>
    </header>
  );
}

function Pages(props: { me: Me }) {
  const path = usePath();
  if (path.startsWith('/admin/orphaned-accounts')) return <OrphanedAccountsPage />;
  if (path.startsWith('/admin/rotate-by-hand')) return <RotateByHandPage />;
  if (path.startsWith('/admin/app-webhooks')) return <AppWebhooksPage />;
  if (path.startsWith('/admin')) return <PeoplePage me={props.me} />;
  const account = /^\/accounts\/([\w-]+)$/.exec(path);
  if (account?.[1]) return <AccountPage id={account[1]} />;
  const vault = /^\/vaults\/([\w-]+)$/.exec(path);
  if (vault?.[1]) return <VaultPage id={vault[1]} />;
  const secret = /^\/secrets\/([\w-]+)$/.exec(path);
  if (secret?.[1]) return <SecretPage id={secret[1]} />;
  if (path.startsWith('/vaults')) return <VaultsPage />;
  if (path.startsWith('/share-links')) return <ShareLinksPage />;
  if (path.startsWith('/devices')) return <DevicesPage />;
  if (path.startsWith('/notifications')) return <NotificationsPage />;
  if (path.startsWith('/workspace')) return <WorkspacePage />;
  return <AccountsPage />;
}
