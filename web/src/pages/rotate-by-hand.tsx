import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api';
import { formatTime } from '../format';
import { AdminFrame, ErrorNote, useDirectory, usePagedList } from './admin';

const TRIGGERS: Record<string, string> = {
  universal_logout: 'universal logout',
  deprovisioning: 'deprovisioning',
};

/**
 * Accounts whose password someone who left (or was logged out) knew, and that no connector can rotate:
 * the admin changes the password at the app, then takes the account off the list here.
 */
export function RotateByHandPage() {
  const queries = useQueryClient();
  const { query, items, more } = usePagedList(['rotate-by-hand'], (cursor) =>
    api.call('listRotateByHand', { query: cursor ? { cursor } : {} }),
  );
  // Names for the people listed (ids the directory does not know stay ids).
  const people = useDirectory('');
  const nameOf = (id: string) => people.items?.find((user) => user.id === id)?.name ?? id;
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const clear = async (accountId: string, appName: string) => {
    setError(null);
    try {
      await api.call('clearRotateByHand', { params: { accountId } });
      setDone(`${appName} is off the list.`);
      await queries.invalidateQueries({ queryKey: ['rotate-by-hand'] });
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <AdminFrame title="Rotate by hand">
      <p className="muted">
        Someone who left or was logged out knew these passwords, and Latchkey cannot change them at the app.
        Change each one at the app, save it in Latchkey, then mark it rotated.
      </p>
      <p role="status">{done}</p>
      <ErrorNote error={query.error ?? error} />
      {items?.length === 0 ? <p>Nothing to rotate by hand.</p> : null}
      {items?.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">Known by</th>
              <th scope="col">Because of</th>
              <th scope="col">Listed</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((entry) => (
              <tr key={entry.accountId}>
                <th scope="row">{entry.appName}</th>
                <td>{entry.userIds.map(nameOf).join(', ')}</td>
                <td>{entry.triggers.map((trigger) => TRIGGERS[trigger] ?? trigger).join(', ')}</td>
                <td>
                  {formatTime(entry.firstListedAt)}
                  {entry.lastListedAt !== entry.firstListedAt
                    ? ` (again ${formatTime(entry.lastListedAt)})`
                    : ''}
                </td>
                <td>
                  <button type="button" onClick={() => clear(entry.accountId, entry.appName)}>
                    Mark rotated<span className="visually-hidden"> ({entry.appName})</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {more}
    </AdminFrame>
  );
}
