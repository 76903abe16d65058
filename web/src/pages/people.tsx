import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api';
import { useConfirmation } from '../confirm-identity';
import { mayLogOut } from '../roles';
import { Link } from '../router';
import { AdminFrame, type DirectoryUser, ErrorNote, useDirectory } from './admin';

type LogoutOutcome = Awaited<ReturnType<typeof api.call<'universalLogout'>>>;

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/**
 * The workspace's people for admins, with "Log out everywhere" (universal logout): a first click asks
 * to be sure, the second runs the identity-confirmed call and shows what the API reports it did.
 */
export function PeoplePage(props: { me: { id: string; workspaceRole: string } }) {
  const [q, setQ] = useState('');
  const { query, items, more } = useDirectory(q.trim());
  return (
    <AdminFrame title="People">
      <label htmlFor="people-search">Find by email or name</label>
      <input id="people-search" type="search" value={q} onChange={(event) => setQ(event.target.value)} />
      <ErrorNote error={query.error} />
      {items?.length === 0 ? <p>Nobody matches.</p> : null}
      <ul className="plain">
        {items?.map((user) => (
          <Person
            key={user.id}
            user={user}
            self={user.id === props.me.id}
            mayLogOut={mayLogOut(props.me, user)}
          />
        ))}
      </ul>
      {more}
    </AdminFrame>
  );
}

function Person(props: { user: DirectoryUser; self: boolean; mayLogOut: boolean }) {
  const { user } = props;
  const confirm = useConfirmation();
  const queries = useQueryClient();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<LogoutOutcome | null>(null);
  const [error, setError] = useState<unknown>(null);
  const logOut = async () => {
    setError(null);
    setBusy(true);
    try {
      setOutcome(
        await confirm((headers) => api.call('universalLogout', { params: { userId: user.id }, headers })),
      );
      setAsking(false);
      await queries.invalidateQueries({ queryKey: ['rotate-by-hand'] });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="card" aria-label={`${user.name} (${user.email})`}>
      <p>
        <strong>{user.name}</strong> · {user.email} ·{' '}
        <span className="muted">
          {user.workspaceRole.replace('_', ' ')}
          {user.status === 'active' ? '' : ` · ${user.status}`}
        </span>
        {props.self ? <span className="tag">You</span> : null}
      </p>
      {!props.mayLogOut ? null : asking ? (
        <fieldset>
          <legend>Log out {user.name} everywhere?</legend>
          <p>
            Every device of theirs must be trusted again, and the accounts they received logins for are
            rotated (or listed to rotate by hand).
          </p>
          <div className="row">
            <button type="button" className="danger" disabled={busy} onClick={logOut}>
              Yes, log out {user.name} everywhere
            </button>
            <button type="button" className="secondary" disabled={busy} onClick={() => setAsking(false)}>
              Cancel
            </button>
          </div>
        </fieldset>
      ) : (
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setOutcome(null);
            setAsking(true);
          }}
        >
          Log out everywhere<span className="visually-hidden"> ({user.name})</span>
        </button>
      )}
      <div role="status" aria-live="polite">
        {outcome ? <Outcome outcome={outcome} name={user.name} /> : null}
      </div>
      <ErrorNote error={error} />
    </li>
  );
}

function Outcome(props: { outcome: LogoutOutcome; name: string }) {
  const { devicesSignedOut, rotations } = props.outcome;
  return (
    <div data-testid="logout-outcome">
      <p>
        {props.name} is logged out everywhere: {plural(devicesSignedOut, 'device', 'devices')} signed out.
      </p>
      <ul>
        <li>{plural(rotations.queued.length, 'password rotation queued', 'password rotations queued')}</li>
        {rotations.inProgress.length ? (
          <li>
            {plural(rotations.inProgress.length, 'rotation already running', 'rotations already running')}
          </li>
        ) : null}
        <li>
          {plural(rotations.rotateByHand.length, 'account to rotate by hand', 'accounts to rotate by hand')}
          {rotations.rotateByHand.length ? (
            <>
              : {rotations.rotateByHand.map((entry) => entry.appName).join(', ')} (
              <Link to="/admin/rotate-by-hand">see the list</Link>)
            </>
          ) : null}
        </li>
      </ul>
    </div>
  );
}
