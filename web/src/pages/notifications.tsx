import { useQuery } from '@tanstack/react-query';
import { api, describeError } from '../api';
import { formatTime } from '../format';
import { usePageTitle } from '../router';

const label = (type: string) => type.replace(/_/g, ' ');

export function NotificationsPage() {
  usePageTitle('Notifications');
  const notifications = useQuery({
    queryKey: ['notifications'],
    queryFn: async () => (await api.call('listMyNotifications')).items,
    refetchInterval: 10_000,
  });
  const preferences = useQuery({
    queryKey: ['preferences'],
    queryFn: async () => (await api.call('getMyNotificationPreferences')).preferences,
  });
  return (
    <main id="main">
      <h1 tabIndex={-1}>Notifications</h1>
      <section aria-labelledby="recent-title">
        <h2 id="recent-title">Recent</h2>
        {notifications.isError ? <p role="alert">{describeError(notifications.error)}</p> : null}
        {notifications.data?.length === 0 ? <p className="muted">Nothing yet.</p> : null}
        <ul className="plain">
          {notifications.data?.map((item) => (
            <li key={item.id} className="card">
              <strong>{item.title}</strong> <span className="muted">· {formatTime(item.createdAt)}</span>
              <p>{item.body}</p>
              {item.outcome ? <span className="tag">{item.outcome}</span> : null}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="prefs-title">
        <h2 id="prefs-title">Your preferences</h2>
        <p className="muted">You change these in the Latchkey app on your phone; here they are read-only.</p>
        {preferences.isError ? <p role="alert">{describeError(preferences.error)}</p> : null}
        <table>
          <thead>
            <tr>
              <th scope="col">Notification</th>
              <th scope="col">You get it</th>
              <th scope="col">Set by workspace</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(preferences.data ?? {}).map(([type, value]) =>
              value ? (
                <tr key={type}>
                  <td>{label(type)}</td>
                  <td>{value.enabled ? 'Yes' : 'No'}</td>
                  <td>{value.locked ? 'Enforced' : 'Your choice'}</td>
                </tr>
              ) : null,
            )}
          </tbody>
        </table>
      </section>
    </main>
  );
}
