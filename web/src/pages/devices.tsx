import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, describeError } from '../api';
import { formatTime } from '../format';
import { usePageTitle } from '../router';

/**
 * A trusted session lists full devices (pending ones carry three candidate numbers); a session that is
 * not trusted yet ("Remind me later") gets a reduced list of names, types and statuses.
 */
type ListedDevice = Awaited<ReturnType<typeof api.call<'listDevices'>>>['items'][number];
type DeviceRow = ListedDevice & {
  os?: string;
  browser?: string;
  createdAt?: string;
  lastSeenAt?: string;
  candidates?: string[];
};

export function useDevices() {
  return useQuery({
    queryKey: ['devices'],
    queryFn: async () => (await api.call('listDevices')).items as DeviceRow[],
    refetchInterval: 5000,
  });
}

/** Approve with number matching (when the API offers candidates), deny, or deny and report. */
export function PendingDevice(props: { device: DeviceRow; client?: typeof api }) {
  const queries = useQueryClient();
  const client = props.client ?? api;
  const [error, setError] = useState<string | null>(null);
  const { device } = props;
  const act = async (run: () => Promise<unknown>) => {
    setError(null);
    try {
      await run();
    } catch (caught) {
      setError(describeError(caught));
    }
    // The computer's list and the phone view's list both show this request.
    await queries.invalidateQueries();
  };
  const approve = (number: string) =>
    act(() => client.call('approveDevice', { params: { id: device.id }, body: { number } }));
  return (
    <li className="card pending" aria-label={`Approval request from ${device.name}`}>
      <p>
        <strong>{device.name}</strong> wants to become a trusted device ({device.os ?? device.clientType}
        {device.browser ? `, ${device.browser}` : ''})
        {device.createdAt ? ` · asked ${formatTime(device.createdAt)}` : ''}
      </p>
      {device.candidates?.length ? (
        <fieldset>
          <legend>Choose the number shown on that device</legend>
          <div className="row">
            {device.candidates.map((number) => (
              <button key={number} type="button" className="number" onClick={() => approve(number)}>
                {number}
              </button>
            ))}
          </div>
        </fieldset>
      ) : (
        <p>Approve this request from a trusted device: it shows the numbers to choose from.</p>
      )}
      <div className="row">
        <button
          type="button"
          className="secondary"
          onClick={() => act(() => client.call('denyDevice', { params: { id: device.id }, body: {} }))}
        >
          Deny
        </button>
        <button
          type="button"
          className="danger"
          onClick={() =>
            act(() => client.call('denyDevice', { params: { id: device.id }, body: { report: true } }))
          }
        >
          Deny and report
        </button>
      </div>
      {error ? <p role="alert">{error}</p> : null}
    </li>
  );
}

function Rename(props: { device: DeviceRow }) {
  const queries = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(props.device.name);
  const [error, setError] = useState<string | null>(null);
  const save = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await api.call('renameDevice', { params: { id: props.device.id }, body: { name } });
      setEditing(false);
      setError(null);
      await queries.invalidateQueries({ queryKey: ['devices'] });
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  if (!editing)
    return (
      <button type="button" className="secondary" onClick={() => setEditing(true)}>
        Rename
      </button>
    );
  return (
    <form onSubmit={save} className="row">
      <label htmlFor={`rename-${props.device.id}`} className="visually-hidden">
        New name for {props.device.name}
      </label>
      <input
        id={`rename-${props.device.id}`}
        value={name}
        maxLength={100}
        onChange={(event) => setName(event.target.value)}
      />
      <button type="submit">Save</button>
      <button type="button" className="secondary" onClick={() => setEditing(false)}>
        Cancel
      </button>
      {error ? <p role="alert">{error}</p> : null}
    </form>
  );
}

export function DevicesPage() {
  usePageTitle('My trusted devices');
  const queries = useQueryClient();
  const devices = useDevices();
  const [error, setError] = useState<string | null>(null);
  const pending = devices.data?.filter((d) => d.status === 'pending_approval') ?? [];
  const others = devices.data?.filter((d) => d.status !== 'pending_approval') ?? [];
  const disable = async (id: string) => {
    try {
      await api.call('disableDevice', { params: { id } });
      await queries.invalidateQueries({ queryKey: ['devices'] });
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  return (
    <main id="main">
      <h1 tabIndex={-1}>My trusted devices</h1>
      {devices.isError ? <p role="alert">{describeError(devices.error)}</p> : null}
      {pending.length ? (
        <section aria-labelledby="pending-title">
          <h2 id="pending-title">Waiting for your approval</h2>
          <ul className="plain">
            {pending.map((device) => (
              <PendingDevice key={device.id} device={device} />
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="devices-title">
        <h2 id="devices-title">Devices</h2>
        {error ? <p role="alert">{error}</p> : null}
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Last seen</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {others.map((device) => (
              <tr key={device.id}>
                <td>
                  {device.name}
                  {device.current ? <span className="tag">This browser</span> : null}
                </td>
                <td>{device.clientType}</td>
                <td>{device.status.replace('_', ' ')}</td>
                <td>{device.lastSeenAt ? formatTime(device.lastSeenAt) : '-'}</td>
                <td className="row">
                  {device.status === 'trusted' || device.status === 'pending_verification' ? (
                    <>
                      <Rename device={device} />
                      {device.current ? null : (
                        <button type="button" className="danger" onClick={() => disable(device.id)}>
                          Disable
                        </button>
                      )}
                    </>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </main>
  );
}
