import type { EncryptedSecret, TotpConfig } from '../accounts/model';
import { totpCode } from '../accounts/totp';
import type { Clock, Keyring } from '../ports';
import { passwordContext, totpSeedContext } from './engine';
import { ConnectorError } from './errors';
import type { ConnectorRequest, ConnectorResult } from './ports';

/** What an app's driver does with clear secrets: only inside the connector function, never logged. */
export interface AppDriver {
  login(input: { username: string; password: string; totp?: string }): Promise<boolean>;
  changePassword(input: { username: string; currentPassword: string; newPassword: string }): Promise<void>;
  enrollTotp(input: { username: string; password: string; secret: string; code: string }): Promise<void>;
}

/**
 * The `webhook` connector, for apps Latchkey does not automate: the customer's endpoint changes the
 * password and answers. It cannot log in, so a check asks whether the app holds a given version.
 */
export interface WebhookEndpoint {
  changePassword(input: WebhookChange): Promise<ConnectorResult>;
  /** Whether the app now holds `version` (the endpoint remembers the rotations it applied). */
  holdsVersion(input: Omit<WebhookChange, 'currentPassword' | 'newPassword'>): Promise<boolean>;
}

export interface WebhookChange {
  rotationId?: string;
  accountId: string;
  appId: string;
  username: string;
  /** The version being set (`version`) and the one the app has now (`currentVersion`). */
  version: number;
  currentVersion: number;
  currentPassword: string;
  newPassword: string;
}

export interface ConnectorDeps {
  /** Sealed secrets the request names by id; the connector opens them itself. */
  secrets: {
    sealedPassword(accountId: string, version: number): Promise<EncryptedSecret | undefined>;
    pendingSeed(accountId: string, rotationId: string): Promise<EncryptedSecret | undefined>;
    accountTotp(accountId: string): Promise<TotpConfig | undefined>;
  };
  keyring: Keyring;
  drivers: Record<string, AppDriver>;
  /** The workspace's webhook for the account's app, when it configured one (apps without a driver). */
  webhookFor?: (accountId: string, appId: string) => Promise<WebhookEndpoint | undefined>;
  clock: Clock;
}

/**
 * The connector function's whole job: open the sealed versions the request names, drive the app, and
 * answer ok or why not. Clear passwords exist only in this call's memory; the request and the result
 * carry ids and words.
 */
export async function runConnector(request: ConnectorRequest, deps: ConnectorDeps): Promise<ConnectorResult> {
  const driver = deps.drivers[request.appId];
  const webhook = driver ? undefined : await deps.webhookFor?.(request.accountId, request.appId);
  if (!driver && !webhook) return { ok: false, detail: `no connector for app ${request.appId}` };
  const password = async (version: number) => {
    const sealed = await deps.secrets.sealedPassword(request.accountId, version);
    if (!sealed) throw new ConnectorError(`password version ${version} is missing`);
    return deps.keyring.open(sealed, passwordContext(request.accountId));
  };
  const pendingSeed = async () => {
    const sealed = request.rotationId
      ? await deps.secrets.pendingSeed(request.accountId, request.rotationId)
      : undefined;
    if (!sealed) throw new ConnectorError('the pending TOTP seed is missing');
    return deps.keyring.open(sealed, totpSeedContext(request.accountId));
  };
  const code = async (secret: string) =>
    (await totpCode({ secret, digits: 6, period: 30, algorithm: 'SHA1' }, deps.clock.now())).code;

  if (webhook) return runWebhook(request, webhook, password);
  // Narrowed above: without a webhook there is a driver.
  const app = driver as AppDriver;
  switch (request.op) {
    case 'check_login': {
      let totp: string | undefined;
      if (request.totp === 'pending') totp = await code(await pendingSeed());
      if (request.totp === 'account') {
        const config = await deps.secrets.accountTotp(request.accountId);
        if (config) {
          const secret = await deps.keyring.open(config.seed, totpSeedContext(request.accountId));
          totp = (
            await totpCode(
              { secret, digits: config.digits, period: config.period, algorithm: config.algorithm },
              deps.clock.now(),
            )
          ).code;
        }
      }
      const ok = await app.login({
        username: request.username,
        password: await password(request.passwordVersion),
        ...(totp ? { totp } : {}),
      });
      return ok ? { ok } : { ok, detail: 'the app refused the login' };
    }
    case 'change_password':
      if (request.newVersion === undefined) return { ok: false, detail: 'no new version named' };
      await app.changePassword({
        username: request.username,
        currentPassword: await password(request.passwordVersion),
        newPassword: await password(request.newVersion),
      });
      return { ok: true };
    case 'enroll_totp': {
      const secret = await pendingSeed();
      await app.enrollTotp({
        username: request.username,
        password: await password(request.passwordVersion),
        secret,
        code: await code(secret),
      });
      return { ok: true };
    }
  }
}

/** The webhook connector's operations: a change sends both passwords, a check sends none. */
async function runWebhook(
  request: ConnectorRequest,
  webhook: WebhookEndpoint,
  password: (version: number) => Promise<string>,
): Promise<ConnectorResult> {
  const base = {
    ...(request.rotationId ? { rotationId: request.rotationId } : {}),
    accountId: request.accountId,
    appId: request.appId,
    username: request.username,
  };
  switch (request.op) {
    case 'check_login': {
      const holds = await webhook.holdsVersion({
        ...base,
        version: request.passwordVersion,
        currentVersion: request.passwordVersion,
      });
      return holds ? { ok: true } : { ok: false, detail: 'the endpoint does not hold that version' };
    }
    case 'change_password':
      if (request.newVersion === undefined) return { ok: false, detail: 'no new version named' };
      return webhook.changePassword({
        ...base,
        version: request.newVersion,
        currentVersion: request.passwordVersion,
        currentPassword: await password(request.passwordVersion),
        newPassword: await password(request.newVersion),
      });
    case 'enroll_totp':
      return { ok: false, final: true, detail: 'the webhook connector does not enrol TOTP' };
  }
}
