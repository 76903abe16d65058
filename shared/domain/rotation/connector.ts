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

export interface ConnectorDeps {
  /** Sealed secrets the request names by id; the connector opens them itself. */
  secrets: {
    sealedPassword(accountId: string, version: number): Promise<EncryptedSecret | undefined>;
    pendingSeed(accountId: string, rotationId: string): Promise<EncryptedSecret | undefined>;
    accountTotp(accountId: string): Promise<TotpConfig | undefined>;
  };
  keyring: Keyring;
  drivers: Record<string, AppDriver>;
  clock: Clock;
}

/**
 * The connector function's whole job: open the sealed versions the request names, drive the app, and
 * answer ok or why not. Clear passwords exist only in this call's memory; the request and the result
 * carry ids and words.
 */
export async function runConnector(request: ConnectorRequest, deps: ConnectorDeps): Promise<ConnectorResult> {
  const driver = deps.drivers[request.appId];
  if (!driver) return { ok: false, detail: `no connector for app ${request.appId}` };
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
      const ok = await driver.login({
        username: request.username,
        password: await password(request.passwordVersion),
        ...(totp ? { totp } : {}),
      });
      return ok ? { ok } : { ok, detail: 'the app refused the login' };
    }
    case 'change_password':
      if (request.newVersion === undefined) return { ok: false, detail: 'no new version named' };
      await driver.changePassword({
        username: request.username,
        currentPassword: await password(request.passwordVersion),
        newPassword: await password(request.newVersion),
      });
      return { ok: true };
    case 'enroll_totp': {
      const secret = await pendingSeed();
      await driver.enrollTotp({
        username: request.username,
        password: await password(request.passwordVersion),
        secret,
        code: await code(secret),
      });
      return { ok: true };
    }
  }
}
