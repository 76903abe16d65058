import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { api, describeError } from '../api';
import { useConfirmation } from '../confirm-identity';
import { CopyButton } from '../copy-button';
import { formatTime } from '../format';
import { Link, usePageTitle } from '../router';
import { ShareByLink } from './share-links';

export const INBOX_REFRESH_MS = 5000;

export function AccountsPage() {
  usePageTitle('Accounts');
  const accounts = useQuery({
    queryKey: ['accounts'],
    queryFn: async () => (await api.call('listAccounts')).items,
  });
  return (
    <main id="main">
      <h1 tabIndex={-1}>Accounts</h1>
      {accounts.isError ? <p role="alert">{describeError(accounts.error)}</p> : null}
      {accounts.data?.length === 0 ? <p>No shared accounts yet.</p> : null}
      <ul className="plain grid">
        {accounts.data?.map((account) => (
          <li key={account.id} className="card">
            <Link to={`/accounts/${account.id}`}>{account.appName}</Link>
            <p className="muted">
              {account.username} · your role: {account.role}
            </p>
          </li>
        ))}
      </ul>
      <CreateAccount />
    </main>
  );
}

function CreateAccount() {
  const queries = useQueryClient();
  const [form, setForm] = useState({
    appName: '',
    username: '',
    password: '',
    loginUrl: '',
    managedPhone: false,
  });
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await api.call('createAccount', {
        body: {
          appName: form.appName,
          username: form.username,
          password: form.password,
          ...(form.loginUrl ? { loginUrl: form.loginUrl } : {}),
          capabilities: { managedPhone: form.managedPhone, managedEmail: true },
        },
      });
      setForm({ appName: '', username: '', password: '', loginUrl: '', managedPhone: false });
      await queries.invalidateQueries({ queryKey: ['accounts'] });
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  const field = (name: 'appName' | 'username' | 'password' | 'loginUrl', label: string, type = 'text') => (
    <>
      <label htmlFor={`new-${name}`}>{label}</label>
      <input
        id={`new-${name}`}
        type={type}
        required={name !== 'loginUrl'}
        autoComplete={type === 'password' ? 'new-password' : 'off'}
        value={form[name]}
        onChange={(event) => setForm({ ...form, [name]: event.target.value })}
      />
    </>
  );
  return (
    <form onSubmit={submit} className="card" aria-labelledby="new-account-title">
      <h2 id="new-account-title">Add a shared account</h2>
      {field('appName', 'App name')}
      {field('username', 'Username')}
      {field('password', 'Password', 'password')}
      {field('loginUrl', 'Login URL (optional)', 'url')}
      <label className="check">
        <input
          type="checkbox"
          checked={form.managedPhone}
          onChange={(event) => setForm({ ...form, managedPhone: event.target.checked })}
        />
        The app sends codes by SMS (it gets a managed number)
      </label>
      {error ? <p role="alert">{error}</p> : null}
      <button type="submit">Add account</button>
    </form>
  );
}

export function AccountPage(props: { id: string }) {
  const account = useQuery({
    queryKey: ['account', props.id],
    queryFn: async () => (await api.call('getAccount', { params: { id: props.id } })).account,
  });
  usePageTitle(account.data?.appName ?? 'Account');
  if (account.isError)
    return (
      <main id="main">
        <h1 tabIndex={-1}>Account</h1>
        <p role="alert">{describeError(account.error)}</p>
      </main>
    );
  const data = account.data;
  return (
    <main id="main">
      <p>
        <Link to="/accounts">← All accounts</Link>
      </p>
      <h1 tabIndex={-1}>{data?.appName ?? 'Account'}</h1>
      {data ? (
        <div className="grid">
          <section className="card" aria-labelledby="login-title">
            <h2 id="login-title">Login</h2>
            <dl>
              <dt>Username</dt>
              <dd>{data.username}</dd>
              {data.loginUrl ? (
                <>
                  <dt>Login page</dt>
                  <dd>{data.loginUrl}</dd>
                </>
              ) : null}
              <dt>Your role</dt>
              <dd>{data.role}</dd>
            </dl>
            <Password id={data.id} />
          </section>
          <Managed account={data} />
          <Totp account={data} />
          <SecurityLevel id={data.id} />
          <Members id={data.id} />
          {data.role === 'owner' ? <ShareByLink resource={{ type: 'account', id: data.id }} /> : null}
          <Inbox id={data.id} />
        </div>
      ) : (
        <p className="loading">Loading…</p>
      )}
    </main>
  );
}

function Password(props: { id: string }) {
  const confirm = useConfirmation();
  const [password, setPassword] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const view = async () => {
    setError(null);
    try {
      const answer = await confirm((headers) =>
        api.call('viewPassword', { params: { id: props.id }, headers }),
      );
      setPassword(answer.password);
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  return (
    <div>
      {password === null ? (
        <button type="button" onClick={view}>
          View password
        </button>
      ) : (
        <p>
          Password: <code data-testid="password">{password}</code>{' '}
          <CopyButton value={password} label="Copy password" />
        </p>
      )}
      {error ? <p role="alert">{error}</p> : null}
    </div>
  );
}

type Account = Awaited<ReturnType<typeof api.call<'getAccount'>>>['account'];

function Managed(props: { account: Account }) {
  const queries = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      await queries.invalidateQueries({ queryKey: ['account', props.account.id] });
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  const { account } = props;
  return (
    <section className="card" aria-labelledby="managed-title">
      <h2 id="managed-title">Managed number and address</h2>
      <dl>
        <dt>Phone number</dt>
        <dd data-testid="managed-phone">{account.phoneNumber ?? 'none'}</dd>
        <dt>Email address</dt>
        <dd data-testid="managed-email">{account.emailAddress ?? 'none'}</dd>
      </dl>
      <div className="row">
        {account.phoneNumber ? null : (
          <button
            type="button"
            onClick={() => run(() => api.call('provisionPhone', { params: { id: account.id }, body: {} }))}
          >
            Get a managed number
          </button>
        )}
        {account.emailAddress ? null : (
          <button
            type="button"
            onClick={() => run(() => api.call('provisionEmail', { params: { id: account.id } }))}
          >
            Get a managed address
          </button>
        )}
      </div>
      {error ? <p role="alert">{error}</p> : null}
    </section>
  );
}

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

function Totp(props: { account: Account }) {
  const queries = useQueryClient();
  const enrolled = Boolean(props.account.totp);
  const now = useNow(1000);
  const code = useQuery({
    queryKey: ['totp', props.account.id],
    queryFn: () => api.call('getTotpCode', { params: { id: props.account.id } }),
    enabled: enrolled,
    refetchInterval: (query) =>
      query.state.data ? Math.max(500, Date.parse(query.state.data.expiresAt) - Date.now()) : false,
  });
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | null>(null);
  const enrol = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await api.call('setTotp', {
        params: { id: props.account.id },
        body: secret.startsWith('otpauth://')
          ? { otpauthUri: secret }
          : { secret: secret.replace(/\s/g, '') },
      });
      setSecret('');
      await queries.invalidateQueries({ queryKey: ['account', props.account.id] });
    } catch (caught) {
      setError(describeError(caught));
    }
  };
  const left = code.data ? Math.max(0, Math.ceil((Date.parse(code.data.expiresAt) - now) / 1000)) : 0;
  return (
    <section className="card" aria-labelledby="totp-title">
      <h2 id="totp-title">Authenticator code</h2>
      {enrolled ? (
        code.data ? (
          <p>
            <code className="big-number" data-testid="totp-code">
              {code.data.code}
            </code>{' '}
            <CopyButton value={code.data.code} label="Copy authenticator code" />
            <br />
            <span className="muted">
              Changes in <span data-testid="totp-countdown">{left}</span> s
            </span>
            <progress max={code.data.period} value={left} aria-label="Time left for this code" />
          </p>
        ) : (
          <p className="loading">{code.isError ? describeError(code.error) : 'Loading…'}</p>
        )
      ) : (
        <form onSubmit={enrol}>
          <label htmlFor="totp-secret">Setup key or otpauth:// link</label>
          <input
            id="totp-secret"
            autoComplete="off"
            required
            value={secret}
            onChange={(event) => setSecret(event.target.value)}
          />
          {error ? <p role="alert">{error}</p> : null}
          <button type="submit">Save authenticator</button>
        </form>
      )}
    </section>
  );
}

function SecurityLevel(props: { id: string }) {
  const level = useQuery({
    queryKey: ['security', props.id],
    queryFn: () => api.call('getSecurityLevel', { params: { id: props.id } }),
  });
  return (
    <section className="card" aria-labelledby="security-title">
      <h2 id="security-title">Security level</h2>
      {level.data ? (
        <>
          <p>
            Level <strong>{level.data.level}</strong>
            {level.data.nextStep ? ` · next step: ${level.data.nextStep.action}` : ' · all steps done'}
          </p>
          <ul>
            {level.data.milestones.map((m) => (
              <li key={m.id}>
                {m.done ? '✓' : '○'} {m.id.replace(/_/g, ' ')}
                <span className="muted"> · {m.reason}</span>
              </li>
            ))}
          </ul>
        </>
      ) : level.isError ? (
        <p role="alert">{describeError(level.error)}</p>
      ) : null}
    </section>
  );
}

function Members(props: { id: string }) {
  const members = useQuery({
    queryKey: ['members', props.id],
    queryFn: async () => (await api.call('listMembers', { params: { id: props.id } })).items,
  });
  return (
    <section className="card" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      {members.isError ? <p role="alert">{describeError(members.error)}</p> : null}
      <ul>
        {members.data?.map((member) => (
          <li key={member.userId}>
            {member.userId} · {member.role} · since {formatTime(member.addedAt)}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Inbox(props: { id: string }) {
  const inbox = useQuery({
    queryKey: ['inbox', props.id],
    queryFn: async () => (await api.call('listAccountInbox', { params: { id: props.id } })).items,
    // The inbox refreshes while the page is open, so a code shows up without a reload.
    refetchInterval: INBOX_REFRESH_MS,
  });
  return (
    <section className="card wide" aria-labelledby="inbox-title">
      <h2 id="inbox-title">Shared inbox</h2>
      {inbox.isError ? <p role="alert">{describeError(inbox.error)}</p> : null}
      {inbox.data?.length === 0 ? (
        <p className="muted">No messages yet. New ones appear here within seconds.</p>
      ) : null}
      <ul className="plain" aria-live="polite">
        {inbox.data?.map((message) => (
          <li key={message.id} className="message">
            <p>
              <strong>{message.channel === 'sms' ? 'SMS' : 'Email'}</strong> from {message.from} ·{' '}
              {formatTime(message.receivedAt)}
              {message.subject ? <> · {message.subject}</> : null}
            </p>
            {message.code ? (
              <p>
                Code{' '}
                <code className="big-number" data-testid="inbox-code">
                  {message.code}
                </code>{' '}
                <CopyButton value={message.code} label={`Copy code ${message.code}`} />
              </p>
            ) : null}
            <p className="muted clip">{message.text}</p>
            {message.flags.length ? <p className="tag">{message.flags.join(', ')}</p> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
