import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { api, describeError } from '../api';
import { useConfirmation } from '../confirm-identity';
import { CopyButton } from '../copy-button';
import { usePageTitle } from '../router';

type Policy = Awaited<ReturnType<typeof api.call<'getWorkspaceNotificationSettings'>>>['settings'];
type Identity = Awaited<ReturnType<typeof api.call<'getIdentityConfirmationSettings'>>>['settings'];

export function WorkspacePage() {
  usePageTitle('Workspace settings');
  return (
    <main id="main">
      <h1 tabIndex={-1}>Workspace settings</h1>
      <div className="grid">
        <NotificationPolicy />
        <IdentityConfirmation />
        <Teams />
        <ScimToken />
      </div>
    </main>
  );
}

function useSaver() {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const save = async (run: () => Promise<unknown>) => {
    try {
      await run();
      setMessage({ ok: true, text: 'Saved.' });
    } catch (error) {
      setMessage({ ok: false, text: describeError(error) });
    }
  };
  const view = message ? <p role={message.ok ? 'status' : 'alert'}>{message.text}</p> : null;
  return { save, view };
}

function NotificationPolicy() {
  const queries = useQueryClient();
  const policy = useQuery({
    queryKey: ['workspace', 'notifications'],
    queryFn: async () => (await api.call('getWorkspaceNotificationSettings')).settings,
  });
  const [draft, setDraft] = useState<Policy | null>(null);
  useEffect(() => {
    if (policy.data) setDraft(policy.data);
  }, [policy.data]);
  const { save, view } = useSaver();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    void save(async () => {
      await api.call('updateWorkspaceNotificationSettings', { body: draft });
      await queries.invalidateQueries({ queryKey: ['workspace', 'notifications'] });
    });
  };
  const set = (type: string, key: 'enabled' | 'enforced', value: boolean) =>
    setDraft((current) => {
      const entry = (current as Record<string, { enabled: boolean; enforced: boolean }>)[type];
      return entry ? ({ ...current, [type]: { ...entry, [key]: value } } as Policy) : current;
    });
  return (
    <form onSubmit={submit} className="card" aria-labelledby="policy-title">
      <h2 id="policy-title">Notification policy</h2>
      {policy.isError ? <p role="alert">{describeError(policy.error)}</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Notification</th>
            <th scope="col">On</th>
            <th scope="col">Enforced</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(draft ?? {}).map(([type, value]) =>
            value ? (
              <tr key={type}>
                <th scope="row">{type.replace(/_/g, ' ')}</th>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${type.replace(/_/g, ' ')} on`}
                    checked={value.enabled}
                    onChange={(event) => set(type, 'enabled', event.target.checked)}
                  />
                </td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`${type.replace(/_/g, ' ')} enforced`}
                    checked={value.enforced}
                    onChange={(event) => set(type, 'enforced', event.target.checked)}
                  />
                </td>
              </tr>
            ) : null,
          )}
        </tbody>
      </table>
      {view}
      <button type="submit">Save notification policy</button>
    </form>
  );
}

function IdentityConfirmation() {
  const queries = useQueryClient();
  const settings = useQuery({
    queryKey: ['workspace', 'identity'],
    queryFn: async () => (await api.call('getIdentityConfirmationSettings')).settings,
  });
  const [draft, setDraft] = useState<Identity | null>(null);
  useEffect(() => {
    if (settings.data) setDraft(settings.data);
  }, [settings.data]);
  const { save, view } = useSaver();
  if (!draft)
    return (
      <section className="card">
        <h2>Identity confirmation</h2>
        {settings.isError ? (
          <p role="alert">{describeError(settings.error)}</p>
        ) : (
          <p className="loading">Loading…</p>
        )}
      </section>
    );
  const toggle = (method: Identity['default'], on: boolean) => {
    const methods = on ? [...new Set([...draft.methods, method])] : draft.methods.filter((m) => m !== method);
    setDraft({
      ...draft,
      methods,
      default: methods.includes(draft.default) ? draft.default : (methods[0] ?? draft.default),
    });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(async () => {
      await api.call('updateIdentityConfirmationSettings', { body: draft });
      await queries.invalidateQueries({ queryKey: ['workspace', 'identity'] });
    });
  };
  return (
    <form onSubmit={submit} className="card" aria-labelledby="identity-title">
      <h2 id="identity-title">Identity confirmation</h2>
      <fieldset>
        <legend>Methods people may use</legend>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.methods.includes('push')}
            onChange={(e) => toggle('push', e.target.checked)}
          />
          Push to the phone, with number matching
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.methods.includes('email_magic_link')}
            onChange={(e) => toggle('email_magic_link', e.target.checked)}
          />
          Email magic link
        </label>
      </fieldset>
      <label htmlFor="identity-default">Offered first</label>
      <select
        id="identity-default"
        value={draft.default}
        onChange={(event) => setDraft({ ...draft, default: event.target.value as Identity['default'] })}
      >
        {draft.methods.map((method) => (
          <option key={method} value={method}>
            {method === 'push' ? 'Push' : 'Email magic link'}
          </option>
        ))}
      </select>
      <label htmlFor="identity-window">Confirmation stays valid for (seconds, 30–3600)</label>
      <input
        id="identity-window"
        type="number"
        min={30}
        max={3600}
        value={draft.reuseWindowSeconds}
        onChange={(event) => setDraft({ ...draft, reuseWindowSeconds: Number(event.target.value) })}
      />
      <label className="check">
        <input
          type="checkbox"
          checked={draft.confirmSecretViews}
          onChange={(event) => setDraft({ ...draft, confirmSecretViews: event.target.checked })}
        />
        Also confirm before viewing secrets
      </label>
      {view}
      <button type="submit">Save identity confirmation</button>
    </form>
  );
}

/** The IdP's groups as Latchkey teams (read-only here: the IdP owns membership through SCIM). */
function Teams() {
  const teams = useQuery({
    queryKey: ['teams'],
    queryFn: async () => (await api.call('listTeams')).items,
  });
  return (
    <section className="card" aria-labelledby="teams-title">
      <h2 id="teams-title">Teams</h2>
      {teams.isError ? <p role="alert">{describeError(teams.error)}</p> : null}
      {teams.data?.length === 0 ? (
        <p className="muted">No teams yet: your identity provider creates them through SCIM.</p>
      ) : null}
      <ul>
        {teams.data?.map((team) => (
          <li key={team.id}>
            {team.name} <span className="muted">· {team.memberCount} members</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * Issues the SCIM bearer token for the identity provider (admins, identity-confirmed). It is shown
 * once: Latchkey keeps only its hash, and issuing a new one stops the previous one.
 */
function ScimToken() {
  const confirm = useConfirmation();
  const [token, setToken] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const issue = async () => {
    setError(null);
    try {
      setToken((await confirm((headers) => api.call('issueScimToken', { headers }))).token);
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  return (
    <section className="card" aria-labelledby="scim-title">
      <h2 id="scim-title">Provisioning (SCIM)</h2>
      <p className="muted">
        Your identity provider provisions people and teams at <code>/scim/v2</code> with this token.
      </p>
      {token ? (
        <>
          <p>Copy it into your identity provider now: it is not shown again.</p>
          <p className="clip">
            <code data-testid="scim-token">{token}</code> <CopyButton value={token} label="Copy SCIM token" />
          </p>
        </>
      ) : (
        <button type="button" onClick={issue}>
          Issue a new SCIM token
        </button>
      )}
      {error ? <p role="alert">{error}</p> : null}
    </section>
  );
}
