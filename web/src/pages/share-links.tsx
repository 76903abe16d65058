import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, describeError } from '../api';
import { useConfirmation } from '../confirm-identity';
import { CopyButton } from '../copy-button';
import { formatTime } from '../format';
import { usePageTitle } from '../router';

/** Lifetimes offered in the form; the API accepts any number of seconds from 300 to 30 days. */
const LIFETIMES = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 604_800, label: '7 days' },
  { seconds: 2_592_000, label: '30 days' },
];

/**
 * "Share by link" on an account or a secret (its owner). The URL comes back once, with the key in its
 * fragment: the server cannot show it again, so the form shows it with a copy button until dismissed.
 */
export function ShareByLink(props: { resource: { type: 'account' | 'secret'; id: string } }) {
  const confirm = useConfirmation();
  const queries = useQueryClient();
  const [form, setForm] = useState({ recipientEmail: '', expiresInSeconds: 86_400, oneTime: true });
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const answer = await confirm((headers) =>
        api.call('createShareLink', { body: { resource: props.resource, ...form }, headers }),
      );
      setUrl(answer.link.url);
      await queries.invalidateQueries({ queryKey: ['share-links'] });
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  const titleId = `share-${props.resource.id}`;
  return (
    <section className="card" aria-labelledby={titleId}>
      <h2 id={titleId}>Share by link</h2>
      {url ? (
        <>
          <p>Send this link to the recipient. It is shown only now: Latchkey keeps no copy of its key.</p>
          <p className="clip">
            <code data-testid="share-url">{url}</code> <CopyButton value={url} label="Copy link" />
          </p>
          <button type="button" className="secondary" onClick={() => setUrl(null)}>
            Done
          </button>
        </>
      ) : (
        <form onSubmit={submit}>
          <p className="muted">
            Someone without a Latchkey account can open it after confirming a code emailed to them.
          </p>
          <label htmlFor={`${titleId}-email`}>Recipient email</label>
          <input
            id={`${titleId}-email`}
            type="email"
            required
            value={form.recipientEmail}
            onChange={(event) => setForm({ ...form, recipientEmail: event.target.value })}
          />
          <label htmlFor={`${titleId}-expiry`}>Expires after</label>
          <select
            id={`${titleId}-expiry`}
            value={form.expiresInSeconds}
            onChange={(event) => setForm({ ...form, expiresInSeconds: Number(event.target.value) })}
          >
            {LIFETIMES.map((lifetime) => (
              <option key={lifetime.seconds} value={lifetime.seconds}>
                {lifetime.label}
              </option>
            ))}
          </select>
          <label className="check">
            <input
              type="checkbox"
              checked={form.oneTime}
              onChange={(event) => setForm({ ...form, oneTime: event.target.checked })}
            />
            One-time: the link dies at its first opening
          </label>
          {error ? <p role="alert">{error}</p> : null}
          <button type="submit">Create link</button>
        </form>
      )}
    </section>
  );
}

/** The owner's links, newest first, with every opening (time, IP, browser), and a revoke button. */
export function ShareLinksPage() {
  usePageTitle('Share links');
  const queries = useQueryClient();
  const links = useQuery({
    queryKey: ['share-links'],
    queryFn: async () => (await api.call('listShareLinks')).items,
  });
  const [error, setError] = useState<string | null>(null);
  const revoke = async (id: string) => {
    setError(null);
    try {
      await api.call('revokeShareLink', { params: { id } });
      await queries.invalidateQueries({ queryKey: ['share-links'] });
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  return (
    <main id="main">
      <h1 tabIndex={-1}>Share links</h1>
      {links.isError ? <p role="alert">{describeError(links.error)}</p> : null}
      {error ? <p role="alert">{error}</p> : null}
      {links.data?.length === 0 ? <p>No links yet. Share an account or a secret from its page.</p> : null}
      <ul className="plain">
        {links.data?.map((link) => (
          <li key={link.id} className="card" aria-label={`Link to ${link.recipient}`}>
            <p>
              <strong>
                {link.resource.type} {link.resource.id}
              </strong>{' '}
              to {link.recipient} · <span className="tag">{link.status}</span>
              {link.oneTime ? ' · one-time' : null}
            </p>
            <p className="muted">
              Created {formatTime(link.createdAt)} · expires {formatTime(link.expiresAt)}
            </p>
            {link.views.length > 0 ? (
              <ul>
                {link.views.map((view) => (
                  <li key={view.at}>
                    Opened {formatTime(view.at)} from {view.ip} · {view.userAgent}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">Not opened yet.</p>
            )}
            {link.status === 'active' ? (
              <button type="button" className="danger small" onClick={() => revoke(link.id)}>
                Revoke
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </main>
  );
}
