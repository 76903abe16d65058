import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { describeError, deviceClient, isApiError } from '../api';
import { usePageTitle } from '../router';
import { PendingDevice } from './devices';

/**
 * The phone view, compiled into local builds only: this browser plays the Latchkey mobile app. It
 * registers as a `mobile` device (its credential in localStorage, sent as X-Latchkey-Device: a
 * simulator's shortcut, never used by the real app) and answers device approvals and identity
 * challenges with number matching, so one person on one machine can be both computer and phone.
 */
const CREDENTIAL_KEY = 'latchkey.phone.credential';
const phone = deviceClient(() => localStorage.getItem(CREDENTIAL_KEY));
export const PHONE_POLL_MS = 2000;

export function PhonePage() {
  usePageTitle('Phone');
  const queries = useQueryClient();
  const device = useQuery({
    queryKey: ['phone', 'device'],
    queryFn: async () => {
      if (!localStorage.getItem(CREDENTIAL_KEY)) return null;
      try {
        return (await phone.call('getCurrentDevice')).device;
      } catch (error) {
        if (isApiError(error, 'unauthorized') || isApiError(error, 'device_credential_required')) return null;
        throw error;
      }
    },
    refetchInterval: (query) => (query.state.data?.status === 'pending_approval' ? PHONE_POLL_MS : false),
  });
  const status = device.data?.status;
  return (
    <main id="main" className="phone">
      <h1 tabIndex={-1}>Latchkey phone</h1>
      {device.isError ? <p role="alert">{describeError(device.error)}</p> : null}
      {device.isPending ? <p className="loading">Loading…</p> : null}
      {device.isSuccess &&
      (!device.data || !['trusted', 'pending_verification', 'pending_approval'].includes(status ?? '')) ? (
        <PhoneSetup onDone={() => queries.invalidateQueries({ queryKey: ['phone', 'device'] })} />
      ) : null}
      {status === 'pending_verification' && device.data ? (
        <PhoneCode
          id={device.data.id}
          onDone={() => queries.invalidateQueries({ queryKey: ['phone', 'device'] })}
        />
      ) : null}
      {status === 'pending_approval' ? (
        <p role="status">Approve this phone from your computer ("My trusted devices").</p>
      ) : null}
      {status === 'trusted' ? <Requests /> : null}
    </main>
  );
}

function PhoneSetup(props: { onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const register = async (noTrustedDeviceAtHand: boolean) => {
    try {
      const answer = await phone.call('registerDevice', {
        body: {
          clientType: 'mobile',
          os: 'iOS',
          model: 'iPhone',
          ...(noTrustedDeviceAtHand ? { noTrustedDeviceAtHand } : {}),
        },
      });
      if (answer.credential) localStorage.setItem(CREDENTIAL_KEY, answer.credential);
      props.onDone();
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  return (
    <div className="card">
      <p>Set up this window as your phone.</p>
      <button type="button" onClick={() => register(false)}>
        Set up this phone
      </button>
      <button type="button" className="secondary" onClick={() => register(true)}>
        Set up with an emailed code
      </button>
      {error ? <p role="alert">{error}</p> : null}
    </div>
  );
}

function PhoneCode(props: { id: string; onDone: () => void }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await phone.call('verifyDevice', { params: { id: props.id }, body: { code } });
      props.onDone();
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  return (
    <form onSubmit={submit} className="card">
      <label htmlFor="phone-code">Code from the email</label>
      <input
        id="phone-code"
        inputMode="numeric"
        maxLength={6}
        value={code}
        onChange={(event) => setCode(event.target.value.replace(/\D/g, ''))}
      />
      {error ? <p role="alert">{error}</p> : null}
      <button type="submit">Verify</button>
    </form>
  );
}

function Requests() {
  const queries = useQueryClient();
  const challenges = useQuery({
    queryKey: ['phone', 'challenges'],
    queryFn: async () => (await phone.call('listPendingIdentityChallenges')).items,
    refetchInterval: PHONE_POLL_MS,
  });
  const devices = useQuery({
    queryKey: ['phone', 'devices'],
    queryFn: async () => (await phone.call('listDevices')).items,
    refetchInterval: PHONE_POLL_MS,
  });
  const [error, setError] = useState<string | null>(null);
  const answer = async (run: () => Promise<unknown>) => {
    setError(null);
    try {
      await run();
    } catch (caught) {
      setError(describeError(caught));
    }
    await queries.invalidateQueries({ queryKey: ['phone', 'challenges'] });
  };
  const pendingDevices = devices.data?.filter((d) => d.status === 'pending_approval') ?? [];
  const nothing = !challenges.data?.length && !pendingDevices.length;
  return (
    <>
      {error ? <p role="alert">{error}</p> : null}
      {nothing ? <p className="muted">No requests. They appear here within seconds.</p> : null}
      <ul className="plain">
        {challenges.data?.map((challenge) => (
          <li key={challenge.id} className="card pending" aria-label={`Request: ${challenge.actionLabel}`}>
            <p>
              <strong>Is it you?</strong> {challenge.requestingDevice.deviceName} asks to{' '}
              <strong>{challenge.actionLabel.toLowerCase()}</strong>.
            </p>
            <fieldset>
              <legend>Tap the number shown on that screen</legend>
              <div className="row">
                {challenge.candidates.map((number) => (
                  <button
                    key={number}
                    type="button"
                    className="number"
                    onClick={() =>
                      answer(() =>
                        phone.call('approveIdentityChallenge', {
                          params: { id: challenge.id },
                          body: { number },
                        }),
                      )
                    }
                  >
                    {number}
                  </button>
                ))}
              </div>
            </fieldset>
            <div className="row">
              <button
                type="button"
                className="secondary"
                onClick={() =>
                  answer(() =>
                    phone.call('denyIdentityChallenge', { params: { id: challenge.id }, body: {} }),
                  )
                }
              >
                It's not me
              </button>
              <button
                type="button"
                className="danger"
                onClick={() =>
                  answer(() =>
                    phone.call('denyIdentityChallenge', {
                      params: { id: challenge.id },
                      body: { report: true },
                    }),
                  )
                }
              >
                Deny and report
              </button>
            </div>
          </li>
        ))}
        {pendingDevices.map((device) => (
          <PendingDevice key={device.id} device={device} client={phone} />
        ))}
      </ul>
    </>
  );
}
