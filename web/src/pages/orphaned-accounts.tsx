import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api } from '../api';
import { formatTime } from '../format';
import { AdminFrame, ErrorNote, useDirectory, usePagedList } from './admin';

type Orphan = Awaited<ReturnType<typeof api.call<'listOrphanedAccounts'>>>['items'][number];

/** Accounts whose owners were all deprovisioned: an admin names a new owner for each. */
export function OrphanedAccountsPage() {
  const { query, items, more } = usePagedList(['orphaned-accounts'], (cursor) =>
    api.call('listOrphanedAccounts', { query: cursor ? { cursor } : {} }),
  );
  const [done, setDone] = useState<string | null>(null);
  return (
    <AdminFrame title="Orphaned accounts">
      <p className="muted">
        Every owner of these accounts left the workspace. Name a new owner so someone can manage them again.
      </p>
      <p role="status">{done}</p>
      <ErrorNote error={query.error} />
      {items?.length === 0 ? <p>No orphaned accounts.</p> : null}
      <ul className="plain grid">
        {items?.map((orphan) => (
          <OrphanCard key={orphan.accountId} orphan={orphan} onAssigned={setDone} />
        ))}
      </ul>
      {more}
    </AdminFrame>
  );
}

function OrphanCard(props: { orphan: Orphan; onAssigned: (message: string) => void }) {
  const { orphan } = props;
  const queries = useQueryClient();
  const [find, setFind] = useState('');
  const [userId, setUserId] = useState('');
  const [error, setError] = useState<unknown>(null);
  // Guests and login-only users cannot own accounts, and the directory leaves them out already.
  const people = useDirectory(find.trim());
  const candidates = people.items?.filter((user) => user.status === 'active') ?? [];
  const id = `orphan-${orphan.accountId}`;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const chosen = candidates.find((user) => user.id === userId);
    try {
      await api.call('assignOrphanedAccountOwner', { params: { id: orphan.accountId }, body: { userId } });
      props.onAssigned(`${chosen?.name ?? 'The chosen person'} now owns ${orphan.appName}.`);
      await queries.invalidateQueries({ queryKey: ['orphaned-accounts'] });
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <li className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{orphan.appName}</h2>
      <dl>
        <dt>Username</dt>
        <dd>{orphan.username}</dd>
        <dt>Orphaned since</dt>
        <dd>{formatTime(orphan.orphanedAt)}</dd>
        <dt>Former owners</dt>
        <dd>
          {orphan.formerOwners
            .map((owner) =>
              // A just-in-time user without a display name has their email as name: say it once.
              owner.name === owner.email
                ? `${owner.email} (${owner.status})`
                : `${owner.name} (${owner.email}, ${owner.status})`,
            )
            .join('; ') || 'unknown'}
        </dd>
      </dl>
      <form onSubmit={submit}>
        <label htmlFor={`${id}-find`}>Find a person</label>
        <input
          id={`${id}-find`}
          type="search"
          value={find}
          onChange={(event) => setFind(event.target.value)}
        />
        <label htmlFor={`${id}-owner`}>New owner of {orphan.appName}</label>
        <select
          id={`${id}-owner`}
          required
          value={userId}
          onChange={(event) => setUserId(event.target.value)}
        >
          <option value="">Choose a person…</option>
          {candidates.map((user) => (
            <option key={user.id} value={user.id}>
              {user.name} ({user.email})
            </option>
          ))}
        </select>
        {people.more}
        <ErrorNote error={error ?? people.query.error} />
        <button type="submit">Make owner</button>
      </form>
    </li>
  );
}
