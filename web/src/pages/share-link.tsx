import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, describeError, isApiError } from '../api';
import { CopyButton } from '../copy-button';
import { formatTime } from '../format';
import { usePageTitle } from '../router';

/**
 * The recipient's page for a public share link, `/s/<id>#<key>`: no Latchkey account, no sign-in.
 * The key never leaves this page: it is read from the fragment once (which browsers never send to a
 * server), kept in memory, and removed from the address bar and the history entry, so a screenshot,
 * a bookmark or the back button does not carry it. The server hands over only the ciphertext, after
 * the emailed code; decryption happens here with `jose` (loaded only on this page).
 */
export function ShareLinkPage(props: { id: string }) {
  const [key] = useState(takeFragmentKey);
  usePageTitle('Shared with you');
  const link = useQuery({
    queryKey: ['share-link', props.id],
    queryFn: async () => (await api.call('describeShareLink', { params: { id: props.id } })).link,
    retry: false,
  });
  return (
    <main id="main" className="narrow">
      <h1 tabIndex={-1}>Shared with you</h1>
      {link.isError ? <p role="alert">{unusable(link.error)}</p> : null}
      {link.isPending ? <p className="loading">Loading…</p> : null}
      {link.data ? (
        key ? (
          <Recipient id={props.id} link={link.data} linkKey={key} />
        ) : (
          <p role="alert">
            This address is missing its key (the part after #). Open the link exactly as it was sent to you.
          </p>
        )
      ) : null}
    </main>
  );
}

type PublicLink = Awaited<ReturnType<typeof api.call<'describeShareLink'>>>['link'];

/** A share payload: an account (app, username, password, login URL) or a secret (name and items). */
export interface SharedContent {
  type?: 'account' | 'secret';
  appName?: string;
  username?: string;
  password?: string;
  loginUrl?: string;
  name?: string;
  items?: Array<{ type: string; name: string; value: string }>;
}

function Recipient(props: { id: string; link: PublicLink; linkKey: string }) {
  const { link } = props;
  const [sent, setSent] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [content, setContent] = useState<SharedContent | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async () => {
    setError(null);
    try {
      const answer = await api.call('sendShareLinkCode', { params: { id: props.id } });
      setSent(answer.verification.expiresAt);
    } catch (caught) {
      setError(unusable(caught));
    }
  };
  const open = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const answer = await api.call('openShareLink', { params: { id: props.id }, body: { code } });
      setContent(await decryptShare(answer.ciphertext, props.linkKey));
    } catch (caught) {
      setError(unusable(caught));
    } finally {
      setBusy(false);
    }
  };
  if (content) return <Content content={content} oneTime={link.oneTime} />;
  return (
    <section className="card" aria-labelledby="link-title">
      <h2 id="link-title">
        {link.sharedBy} shared {link.resourceType === 'account' ? 'an account' : 'a secret'} with you
      </h2>
      <dl>
        <dt>Sent to</dt>
        <dd>{link.recipient}</dd>
        <dt>Available until</dt>
        <dd>{formatTime(link.expiresAt)}</dd>
        {link.oneTime ? (
          <>
            <dt>One-time</dt>
            <dd>It can be opened once: copy what you need when it opens.</dd>
          </>
        ) : null}
      </dl>
      <p>To open it, confirm you own the address it was sent to: we email a 6-digit code there.</p>
      <button type="button" className={sent ? 'secondary' : undefined} onClick={send}>
        {sent ? 'Send another code' : 'Email me a code'}
      </button>
      {sent ? (
        <form onSubmit={open}>
          <p className="muted">The code is valid until {formatTime(sent)}.</p>
          <label htmlFor="share-code">Code from the email</label>
          <input
            id="share-code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="\d{6}"
            maxLength={6}
            required
            value={code}
            onChange={(event) => setCode(event.target.value.trim())}
          />
          <button type="submit" disabled={busy}>
            Open
          </button>
        </form>
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
    </section>
  );
}

function Content(props: { content: SharedContent; oneTime: boolean }) {
  const { content } = props;
  const rows: Array<{ label: string; value: string; secret?: boolean }> = [];
  if (content.appName !== undefined) rows.push({ label: 'App', value: content.appName });
  if (content.loginUrl) rows.push({ label: 'Login page', value: content.loginUrl });
  if (content.username !== undefined) rows.push({ label: 'Username', value: content.username });
  if (content.password !== undefined) rows.push({ label: 'Password', value: content.password, secret: true });
  if (content.name !== undefined) rows.push({ label: 'Name', value: content.name });
  for (const item of content.items ?? [])
    rows.push({ label: `${item.name} (${item.type.replace('_', ' ')})`, value: item.value, secret: true });
  return (
    <section className="card" aria-labelledby="content-title">
      <h2 id="content-title">{content.appName ?? content.name ?? 'Shared item'}</h2>
      {props.oneTime ? (
        <p className="banner">This link has now been used: copy what you need before you leave this page.</p>
      ) : null}
      <dl data-testid="shared-content">
        {rows.map((row) => (
          <div key={row.label}>
            <dt>{row.label}</dt>
            <dd>
              <code>{row.value}</code> <CopyButton value={row.value} label={`Copy ${row.label}`} />
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** Reads the key from the fragment once and removes it from the address bar and this history entry. */
function takeFragmentKey(): string | null {
  const key = location.hash.slice(1);
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
  return /^[\w-]{43}$/.test(key) ? key : null;
}

/** Decrypts the compact JWE (`dir`, `A256GCM`) with the fragment's 256-bit key. */
export async function decryptShare(ciphertext: string, key: string): Promise<SharedContent> {
  const { base64url, compactDecrypt } = await import('jose');
  const { plaintext } = await compactDecrypt(ciphertext, base64url.decode(key), {
    keyManagementAlgorithms: ['dir'],
    contentEncryptionAlgorithms: ['A256GCM'],
  });
  return JSON.parse(new TextDecoder().decode(plaintext)) as SharedContent;
}

/** Unknown, expired, used and revoked links look the same to the server; the page says so plainly. */
function unusable(error: unknown): string {
  if (isApiError(error, 'link_invalid'))
    return 'This link cannot be opened: it may have expired, been used already, or been revoked. Ask the person who shared it for a new one.';
  if (error instanceof Error && /decrypt|JWE/i.test(error.message))
    return 'The link’s key does not match its content: open the link exactly as it was sent to you.';
  return describeError(error);
}
