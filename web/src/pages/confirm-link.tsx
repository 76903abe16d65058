import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, describeError } from '../api';
import { formatTime } from '../format';
import { usePageTitle } from '../router';

/**
 * `/confirm#<token>`: the magic link. The token stays in the fragment (never sent to a server by the
 * browser, never in logs). Opening the page only describes the request; only the button approves it,
 * because mail scanners open links too. It creates no session for whoever clicked.
 */
export function ConfirmLinkPage() {
  usePageTitle('Confirm it is you');
  const [token] = useState(() => decodeURIComponent(location.hash.slice(1)));
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const described = useQuery({
    queryKey: ['magic-link', token],
    queryFn: () => api.call('describeMagicLink', { params: { token } }),
    enabled: token.length > 0,
    retry: false,
  });
  const approve = async () => {
    setError(null);
    try {
      await api.call('confirmMagicLink', { params: { token } });
      setDone('Confirmed. Go back to the screen that asked: it continues on its own.');
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  const challenge = described.data?.challenge;
  return (
    <main id="main" className="narrow">
      <h1 tabIndex={-1}>Confirm it is you</h1>
      {!token ? <p role="alert">This link is incomplete. Open the whole link from the email.</p> : null}
      {described.isError ? <p role="alert">{describeError(described.error)}</p> : null}
      {challenge ? (
        <div className="card">
          <p>Someone signed in as you asked to:</p>
          <p className="big">{challenge.actionLabel}</p>
          <dl>
            <dt>From</dt>
            <dd>
              {challenge.requestingDevice.deviceName} ({challenge.requestingDevice.os}
              {challenge.requestingDevice.browser ? `, ${challenge.requestingDevice.browser}` : ''})
            </dd>
            {challenge.requestingDevice.ip ? (
              <>
                <dt>IP address</dt>
                <dd>{challenge.requestingDevice.ip}</dd>
              </>
            ) : null}
            <dt>Asked</dt>
            <dd>{formatTime(challenge.createdAt)}</dd>
            <dt>Expires</dt>
            <dd>{formatTime(challenge.expiresAt)}</dd>
          </dl>
          {done ? (
            <p role="status">{done}</p>
          ) : (
            <>
              <p>If this was not you, close this page: nothing happens unless you press the button.</p>
              <button type="button" onClick={approve}>
                Yes, it's me: confirm
              </button>
            </>
          )}
          {error ? <p role="alert">{error}</p> : null}
        </div>
      ) : null}
    </main>
  );
}
