import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { api, describeError, isApiError } from './api';
import { usePageTitle } from './router';

/**
 * The device-trust step, before anything else: name this browser, then enter the emailed code or wait
 * for approval on a trusted device (showing the number to match), or fall back to a code, or continue
 * untrusted for now with a banner. The credential is the HttpOnly cookie, so a reload finds the same
 * device instead of registering a new one.
 */

const REMIND_KEY = 'latchkey.remind-later';
export const DEVICE_POLL_MS = 2000;

type CurrentDevice = Awaited<ReturnType<typeof loadCurrent>>;
/** Issue 10's contract adds the number to match on the pending device's own view. */
type WithNumber = { numberToMatch?: string };

async function loadCurrent() {
  try {
    return (await api.call('getCurrentDevice')).device as Awaited<
      ReturnType<typeof api.call<'getCurrentDevice'>>
    >['device'] &
      WithNumber;
  } catch (error) {
    // No cookie yet, or one the API no longer knows: this browser needs to register.
    if (isApiError(error, 'device_credential_required') || isApiError(error, 'unauthorized')) return null;
    throw error;
  }
}

export function useCurrentDevice() {
  return useQuery({
    queryKey: ['device', 'current'],
    queryFn: loadCurrent,
    refetchInterval: (query) => (query.state.data?.status === 'pending_approval' ? DEVICE_POLL_MS : false),
  });
}

function describeBrowser() {
  const agent = navigator.userAgent;
  const os = /Android/.test(agent)
    ? 'Android'
    : /iPhone|iPad/.test(agent)
      ? 'iOS'
      : /Mac OS X/.test(agent)
        ? 'macOS'
        : /Windows/.test(agent)
          ? 'Windows'
          : 'Linux';
  const browser = /Edg\//.test(agent)
    ? 'Edge'
    : /Firefox\//.test(agent)
      ? 'Firefox'
      : /Chrome\//.test(agent)
        ? 'Chrome'
        : /Safari\//.test(agent)
          ? 'Safari'
          : 'Browser';
  return { os, browser };
}

export function DeviceGate(props: { children: ReactNode }) {
  const current = useCurrentDevice();
  const [remindLater, setRemindLater] = useState(() => sessionStorage.getItem(REMIND_KEY) === '1');
  const [setupOpen, setSetupOpen] = useState(false);

  if (current.isPending) return <p className="loading">Checking this device…</p>;
  if (current.isError) return <p role="alert">{describeError(current.error)}</p>;
  const device = current.data;
  if (device?.status === 'trusted') return <>{props.children}</>;

  if (remindLater && !setupOpen) {
    return (
      <>
        <section className="banner" aria-label="Device not trusted">
          <span>This browser is not a trusted device yet, so most pages stay locked.</span>
          <button type="button" onClick={() => setSetupOpen(true)}>
            Set up this device
          </button>
        </section>
        {props.children}
      </>
    );
  }
  return (
    <DeviceTrustStep
      device={device}
      onRemindLater={() => {
        sessionStorage.setItem(REMIND_KEY, '1');
        setRemindLater(true);
        setSetupOpen(false);
      }}
    />
  );
}

function DeviceTrustStep(props: { device: CurrentDevice; onRemindLater: () => void }) {
  usePageTitle('Trust this device');
  const { device } = props;
  return (
    <main id="main" className="narrow">
      <h1 tabIndex={-1}>Trust this device</h1>
      {!device || ['denied', 'disabled', 'expired'].includes(device.status) ? (
        <NameDevice previous={device?.status} />
      ) : device.status === 'pending_verification' ? (
        <EnterCode deviceId={device.id} />
      ) : (
        <WaitForApproval device={device} />
      )}
      <p>
        <button type="button" className="link" onClick={props.onRemindLater}>
          Remind me later
        </button>
      </p>
    </main>
  );
}

function useRegister() {
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const register = async (input: { name?: string; noTrustedDeviceAtHand?: boolean }) => {
    setBusy(true);
    setError(null);
    try {
      const { device } = await api.call('registerDevice', {
        body: {
          clientType: 'web',
          ...describeBrowser(),
          ...(input.name ? { name: input.name } : {}),
          ...(input.noTrustedDeviceAtHand ? { noTrustedDeviceAtHand: true } : {}),
        },
      });
      client.setQueryData(['device', 'current'], device);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };
  return { register, error, busy };
}

function NameDevice(props: { previous: string | undefined }) {
  const { register, error, busy } = useRegister();
  const [name, setName] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void register({ name: name.trim() || undefined });
  };
  return (
    <form onSubmit={submit} className="card">
      {props.previous ? (
        <p role="status">This browser's previous device was {props.previous}. Set it up again.</p>
      ) : (
        <p>Latchkey only opens on devices you trust. Name this browser to set it up.</p>
      )}
      <label htmlFor="device-name">Device name (optional)</label>
      <input
        id="device-name"
        value={name}
        maxLength={100}
        placeholder="e.g. Work laptop"
        onChange={(event) => setName(event.target.value)}
      />
      {error ? <p role="alert">{error}</p> : null}
      <button type="submit" disabled={busy}>
        Continue
      </button>
    </form>
  );
}

function EnterCode(props: { deviceId: string }) {
  const client = useQueryClient();
  const [code, setCode] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const { device } = await api.call('verifyDevice', { params: { id: props.deviceId }, body: { code } });
      client.setQueryData(['device', 'current'], device);
    } catch (error) {
      setMessage(describeError(error));
    } finally {
      setBusy(false);
    }
  };
  const resend = async () => {
    try {
      await api.call('resendDeviceCode', { params: { id: props.deviceId } });
      setMessage('We emailed you a new code; the old one no longer works.');
    } catch (error) {
      setMessage(describeError(error));
    }
  };
  return (
    <form onSubmit={submit} className="card">
      <p>We emailed you a 6-digit code. It works for 5 minutes.</p>
      <label htmlFor="device-code">Code from the email</label>
      <input
        id="device-code"
        inputMode="numeric"
        autoComplete="one-time-code"
        pattern="\d{6}"
        maxLength={6}
        required
        value={code}
        onChange={(event) => setCode(event.target.value.replace(/\D/g, ''))}
      />
      {message ? <p role="alert">{message}</p> : null}
      <div className="row">
        <button type="submit" disabled={busy || code.length !== 6}>
          Verify
        </button>
        <button type="button" className="secondary" onClick={resend}>
          Email me a new code
        </button>
      </div>
    </form>
  );
}

function WaitForApproval(props: { device: NonNullable<CurrentDevice> }) {
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Same device, same name and slot: the request turns into an emailed code (refused after a deny).
  const switchToCode = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.call('switchDeviceToCode', { params: { id: props.device.id } });
      await client.invalidateQueries({ queryKey: ['device', 'current'] });
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="card">
      <p>
        Approve <strong>{props.device.name}</strong> from one of your trusted devices ("My trusted devices",
        or the Latchkey app on your phone).
      </p>
      {props.device.numberToMatch ? (
        <>
          <p>When asked, choose this number:</p>
          <p className="big-number" data-testid="device-number">
            {props.device.numberToMatch}
          </p>
        </>
      ) : null}
      <p role="status" aria-live="polite">
        Waiting for approval…
      </p>
      {error ? <p role="alert">{error}</p> : null}
      <button type="button" className="secondary" disabled={busy} onClick={() => void switchToCode()}>
        I don't have access to my trusted device
      </button>
    </div>
  );
}
