import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, describeError } from '../api';
import { useConfirmation } from '../confirm-identity';
import { CopyButton } from '../copy-button';
import { formatTime } from '../format';
import { Link, navigate, usePageTitle } from '../router';
import { ShareByLink } from './share-links';

const ITEM_TYPES = ['login', 'note', 'api_key', 'card'] as const;
type ItemType = (typeof ITEM_TYPES)[number];
const ITEM_LABELS: Record<ItemType, string> = {
  login: 'Login',
  note: 'Note',
  api_key: 'API key',
  card: 'Card',
};

/** Runs an action and reports its error as a sentence, for the forms on these pages. */
function useAction() {
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>): Promise<boolean> => {
    setError(null);
    try {
      await action();
      return true;
    } catch (caught) {
      setError(describeError(caught));
      return false;
    }
  };
  return { error, run };
}

export function VaultsPage() {
  usePageTitle('Vaults');
  const queries = useQueryClient();
  const confirm = useConfirmation();
  const vaults = useQuery({
    queryKey: ['vaults'],
    queryFn: async () => (await api.call('listVaults')).items,
  });
  const [name, setName] = useState('');
  const { error, run } = useAction();
  const create = async (event: FormEvent) => {
    event.preventDefault();
    const ok = await run(() => confirm((headers) => api.call('createVault', { body: { name }, headers })));
    if (!ok) return;
    setName('');
    await queries.invalidateQueries({ queryKey: ['vaults'] });
  };
  return (
    <main id="main">
      <h1 tabIndex={-1}>Vaults</h1>
      {vaults.isError ? <p role="alert">{describeError(vaults.error)}</p> : null}
      {vaults.data?.length === 0 ? <p>No vaults yet.</p> : null}
      <ul className="plain grid">
        {vaults.data?.map((vault) => (
          <li key={vault.id} className="card">
            <Link to={`/vaults/${vault.id}`}>{vault.name}</Link>
            <p className="muted">your role: {vault.role}</p>
          </li>
        ))}
      </ul>
      <form onSubmit={create} className="card" aria-labelledby="new-vault-title">
        <h2 id="new-vault-title">Create a vault</h2>
        <label htmlFor="vault-name">Vault name</label>
        <input id="vault-name" required value={name} onChange={(event) => setName(event.target.value)} />
        {error ? <p role="alert">{error}</p> : null}
        <button type="submit">Create vault</button>
      </form>
    </main>
  );
}

export function VaultPage(props: { id: string }) {
  const vaults = useQuery({
    queryKey: ['vaults'],
    queryFn: async () => (await api.call('listVaults')).items,
  });
  const vault = vaults.data?.find((candidate) => candidate.id === props.id);
  usePageTitle(vault?.name ?? 'Vault');
  const secrets = useQuery({
    queryKey: ['secrets', props.id],
    queryFn: async () => (await api.call('listSecrets', { params: { id: props.id } })).items,
  });
  return (
    <main id="main">
      <p>
        <Link to="/vaults">← All vaults</Link>
      </p>
      <h1 tabIndex={-1}>{vault?.name ?? 'Vault'}</h1>
      {secrets.isError ? <p role="alert">{describeError(secrets.error)}</p> : null}
      {secrets.data?.length === 0 ? <p>No secrets in this vault yet.</p> : null}
      <ul className="plain grid">
        {secrets.data?.map((secret) => (
          <li key={secret.id} className="card">
            <Link to={`/secrets/${secret.id}`}>{secret.name}</Link>
            <p className="muted">
              {secret.items.map((item) => `${item.name} (${ITEM_LABELS[item.type]})`).join(', ')} · updated{' '}
              {formatTime(secret.updatedAt)}
            </p>
          </li>
        ))}
      </ul>
      {vault && vault.role !== 'viewer' ? <CreateSecret vaultId={props.id} /> : null}
    </main>
  );
}

function CreateSecret(props: { vaultId: string }) {
  const queries = useQueryClient();
  const [name, setName] = useState('');
  const [item, setItem] = useState<{ type: ItemType; name: string; value: string }>({
    type: 'login',
    name: '',
    value: '',
  });
  const { error, run } = useAction();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const ok = await run(() =>
      api.call('createSecret', { params: { id: props.vaultId }, body: { name, items: [item] } }),
    );
    if (!ok) return;
    setName('');
    setItem({ type: 'login', name: '', value: '' });
    await queries.invalidateQueries({ queryKey: ['secrets', props.vaultId] });
  };
  return (
    <form onSubmit={submit} className="card" aria-labelledby="new-secret-title">
      <h2 id="new-secret-title">Add a secret</h2>
      <label htmlFor="secret-name">Secret name</label>
      <input id="secret-name" required value={name} onChange={(event) => setName(event.target.value)} />
      <label htmlFor="item-type">Item type</label>
      <select
        id="item-type"
        value={item.type}
        onChange={(event) => setItem({ ...item, type: event.target.value as ItemType })}
      >
        {ITEM_TYPES.map((type) => (
          <option key={type} value={type}>
            {ITEM_LABELS[type]}
          </option>
        ))}
      </select>
      <label htmlFor="item-name">Item name</label>
      <input
        id="item-name"
        required
        value={item.name}
        onChange={(event) => setItem({ ...item, name: event.target.value })}
      />
      <label htmlFor="item-value">Item value</label>
      <input
        id="item-value"
        type="password"
        autoComplete="new-password"
        required
        value={item.value}
        onChange={(event) => setItem({ ...item, value: event.target.value })}
      />
      {error ? <p role="alert">{error}</p> : null}
      <button type="submit">Add secret</button>
    </form>
  );
}

type SecretWithValues = Awaited<ReturnType<typeof api.call<'getSecret'>>>['secret'];

export function SecretPage(props: { id: string }) {
  const confirm = useConfirmation();
  const [secret, setSecret] = useState<SecretWithValues | null>(null);
  const { error, run } = useAction();
  usePageTitle(secret?.name ?? 'Secret');
  const view = () =>
    run(async () => {
      setSecret(
        (await confirm((headers) => api.call('getSecret', { params: { id: props.id }, headers }))).secret,
      );
    });
  const trash = () =>
    run(async () => {
      await confirm((headers) => api.call('deleteSecret', { params: { id: props.id }, headers }));
      navigate(secret ? `/vaults/${secret.vaultId}` : '/vaults');
    });
  return (
    <main id="main">
      <p>
        <Link to={secret ? `/vaults/${secret.vaultId}` : '/vaults'}>← Back to the vault</Link>
      </p>
      <h1 tabIndex={-1}>{secret?.name ?? 'Secret'}</h1>
      {secret ? (
        <div className="grid">
          <section className="card" aria-labelledby="items-title">
            <h2 id="items-title">Items</h2>
            <dl data-testid="secret-items">
              {secret.items.map((item) => (
                <div key={item.name}>
                  <dt>
                    {item.name} <span className="muted">({ITEM_LABELS[item.type]})</span>
                  </dt>
                  <dd>
                    <code>{item.value}</code> <CopyButton value={item.value} label={`Copy ${item.name}`} />
                  </dd>
                </div>
              ))}
            </dl>
            <p className="muted">
              Version {secret.version} · updated {formatTime(secret.updatedAt)} · your role: {secret.role}
            </p>
            {secret.role !== 'viewer' ? (
              <button type="button" className="danger" onClick={trash}>
                Move to trash
              </button>
            ) : null}
          </section>
          {secret.role === 'manager' ? <ShareByLink resource={{ type: 'secret', id: secret.id }} /> : null}
        </div>
      ) : (
        <button type="button" onClick={view}>
          Show secret
        </button>
      )}
      {error ? <p role="alert">{error}</p> : null}
    </main>
  );
}
