import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { api, describeError, isApiError } from './api';

/**
 * The one "Confirm your identity" dialog. Any action goes through `withConfirmation(run)`: when the API
 * answers `403 identity_confirmation_required`, the dialog shows the number to match, polls the
 * challenge every 2 s, and once it is approved retries the action with `X-Latchkey-Confirmation`. It
 * offers the email link when the workspace allows it.
 */

export const CONFIRMATION_POLL_MS = 2000;

interface Challenge {
  id: string;
  action: string;
  methods: string[];
  expiresAt: string;
  numberToMatch?: string;
}

type Run<T> = (headers: Record<string, string>) => Promise<T>;
type Confirm = <T>(run: Run<T>) => Promise<T>;

const ConfirmContext = createContext<Confirm | null>(null);

export function useConfirmation(): Confirm {
  const confirm = useContext(ConfirmContext);
  if (!confirm) throw new Error('useConfirmation outside ConfirmationProvider');
  return confirm;
}

interface Pending {
  challenge: Challenge;
  settle: (outcome: { approved: true } | { approved: false; reason: string }) => void;
}

export function ConfirmationProvider(props: { children: ReactNode }) {
  const [pending, setPending] = useState<Pending | null>(null);

  const confirm = useCallback(async <T,>(run: Run<T>): Promise<T> => {
    try {
      return await run({});
    } catch (error) {
      if (!isApiError(error, 'identity_confirmation_required')) throw error;
      const challenge = error.body.challenge as Challenge;
      const outcome = await new Promise<{ approved: true } | { approved: false; reason: string }>((settle) =>
        setPending({ challenge, settle }),
      );
      setPending(null);
      if (!outcome.approved) throw new Error(outcome.reason);
      return run({ 'x-latchkey-confirmation': challenge.id });
    }
  }, []);

  return (
    <ConfirmContext.Provider value={confirm}>
      {props.children}
      {pending ? <ConfirmDialog pending={pending} /> : null}
    </ConfirmContext.Provider>
  );
}

function ConfirmDialog({ pending }: { pending: Pending }) {
  const { challenge, settle } = pending;
  const dialog = useRef<HTMLDialogElement>(null);
  const [status, setStatus] = useState('pending');
  const [note, setNote] = useState<string | null>(null);
  const push = challenge.methods.includes('push');
  const email = challenge.methods.includes('email_magic_link');

  useEffect(() => {
    dialog.current?.showModal();
  }, []);

  useEffect(() => {
    let stopped = false;
    const tick = async () => {
      try {
        const { challenge: current } = await api.call('getIdentityChallenge', {
          params: { id: challenge.id },
        });
        if (stopped) return;
        setStatus(current.status);
        if (current.status === 'approved') settle({ approved: true });
        else if (current.status !== 'pending')
          settle({ approved: false, reason: `The confirmation was ${current.status}.` });
      } catch (error) {
        if (!stopped) setNote(describeError(error));
      }
    };
    const timer = setInterval(tick, CONFIRMATION_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [challenge.id, settle]);

  const sendEmail = async () => {
    try {
      await api.call('emailIdentityChallenge', { params: { id: challenge.id } });
      setNote('We emailed you a link. Open it and press "Confirm" to continue here.');
    } catch (error) {
      setNote(describeError(error));
    }
  };

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby="confirm-title"
      onCancel={(event) => {
        event.preventDefault();
        settle({ approved: false, reason: 'You cancelled the confirmation.' });
      }}
    >
      <h2 id="confirm-title">Confirm your identity</h2>
      {push && challenge.numberToMatch ? (
        <>
          <p>Open Latchkey on your phone and tap this number:</p>
          <p className="big-number" data-testid="confirm-number">
            {challenge.numberToMatch}
          </p>
        </>
      ) : (
        <p>Confirm with the link we can email you.</p>
      )}
      <p role="status" aria-live="polite">
        {status === 'pending' ? 'Waiting for your confirmation…' : `Status: ${status}`}
      </p>
      {note ? <p role="alert">{note}</p> : null}
      <div className="row">
        {email ? (
          <button type="button" onClick={sendEmail}>
            Email me a link instead
          </button>
        ) : null}
        <button
          type="button"
          className="secondary"
          onClick={() => settle({ approved: false, reason: 'You cancelled the confirmation.' })}
        >
          Cancel
        </button>
      </div>
    </dialog>
  );
}
