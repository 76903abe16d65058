import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { api, isApiError } from '../api';
import { useConfirmation } from '../confirm-identity';
import { CopyButton } from '../copy-button';
import { formatTime } from '../format';
import { AdminFrame, ErrorNote } from './admin';

type App = Awaited<ReturnType<typeof api.call<'listApps'>>>['items'][number];

/**
 * The webhook connector of each catalogue app Latchkey cannot rotate by itself: the workspace's own
 * HTTPS endpoint receives the signed rotation requests. Setting, changing and removing it are
 * identity-confirmed; the signing secret is shown once, when the API generates it.
 */
export function AppWebhooksPage() {
  const apps = useQuery({
    queryKey: ['apps'],
    queryFn: async () => (await api.call('listApps')).items,
  });
  const withoutConnector = apps.data?.filter((app) => !app.capabilities.passwordRotation);
  return (
    <AdminFrame title="App webhooks">
      <p className="muted">
        For an app Latchkey has no connector for, name an HTTPS endpoint of yours: password rotations of that
        app’s accounts are sent there, signed with a secret only you and Latchkey hold.
      </p>
      <ErrorNote error={apps.error} />
      {withoutConnector?.length === 0 ? <p>Every app in the catalogue has its own connector.</p> : null}
      <div className="grid">
        {withoutConnector?.map((app) => (
          <AppWebhook key={app.id} app={app} />
        ))}
      </div>
    </AdminFrame>
  );
}

function AppWebhook(props: { app: App }) {
  const { app } = props;
  const confirm = useConfirmation();
  const queries = useQueryClient();
  const key = ['app-webhook', app.id];
  const webhook = useQuery({
    queryKey: key,
    queryFn: async () => {
      try {
        return (await api.call('getAppWebhook', { params: { appId: app.id } })).webhook;
      } catch (error) {
        if (isApiError(error, 'not_found')) return null;
        throw error;
      }
    },
  });
  const [url, setUrl] = useState('');
  const [rotateSecret, setRotateSecret] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (webhook.data) setUrl(webhook.data.url);
  }, [webhook.data]);
  const act = async (run: (headers: Record<string, string>) => Promise<string>) => {
    setError(null);
    setSaved(null);
    try {
      setSaved(await confirm(run));
      await queries.invalidateQueries({ queryKey: key });
    } catch (caught) {
      setError(caught);
    }
  };
  const save = (event: FormEvent) => {
    event.preventDefault();
    void act(async (headers) => {
      const answer = await api.call('putAppWebhook', {
        params: { appId: app.id },
        body: { url: url.trim(), ...(rotateSecret ? { rotateSecret: true } : {}) },
        headers,
      });
      setRotateSecret(false);
      if (answer.secret) setSecret(answer.secret);
      return 'Webhook saved.';
    });
  };
  const remove = () =>
    act(async (headers) => {
      await api.call('deleteAppWebhook', { params: { appId: app.id }, headers });
      setUrl('');
      setSecret(null);
      return 'Webhook removed.';
    });
  const id = `webhook-${app.id}`;
  const configured = webhook.data;
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{app.name}</h2>
      {webhook.isPending ? <p className="loading">Loading…</p> : null}
      {webhook.isError ? <ErrorNote error={webhook.error} /> : null}
      {configured ? (
        <dl data-testid={`${id}-state`}>
          <dt>Sends rotations to</dt>
          <dd className="clip">{configured.url}</dd>
          <dt>Signing secret created</dt>
          <dd>{formatTime(configured.secretCreatedAt)}</dd>
          <dt>Last changed</dt>
          <dd>{formatTime(configured.updatedAt)}</dd>
        </dl>
      ) : webhook.data === null ? (
        <p data-testid={`${id}-state`}>No webhook: accounts of {app.name} are rotated by hand.</p>
      ) : null}
      {secret ? (
        <div className="banner">
          <p>Store this signing secret in your endpoint now: it is not shown again.</p>
          <p className="clip">
            <code data-testid="webhook-secret">{secret}</code>{' '}
            <CopyButton value={secret} label="Copy signing secret" />
          </p>
          <button type="button" className="secondary" onClick={() => setSecret(null)}>
            I have stored it
          </button>
        </div>
      ) : null}
      {webhook.isError ? null : (
        <form onSubmit={save}>
          <label htmlFor={`${id}-url`}>Webhook URL for {app.name}</label>
          <input
            id={`${id}-url`}
            type="url"
            required
            placeholder="https://"
            value={url}
            onChange={(event) => setUrl(event.target.value)}
          />
          {configured ? (
            <label className="check">
              <input
                type="checkbox"
                checked={rotateSecret}
                onChange={(event) => setRotateSecret(event.target.checked)}
              />
              Also replace the signing secret
            </label>
          ) : null}
          <div className="row">
            <button type="submit">{configured ? 'Save webhook' : 'Set webhook'}</button>
            {configured ? (
              <button type="button" className="danger" onClick={remove}>
                Remove webhook<span className="visually-hidden"> ({app.name})</span>
              </button>
            ) : null}
          </div>
        </form>
      )}
      <p role="status">{saved}</p>
      <ErrorNote error={error} />
    </section>
  );
}
