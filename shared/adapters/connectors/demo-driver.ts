import type { AppDriver } from '../../domain/rotation/connector';
import { ConnectorError } from '../../domain/rotation/errors';

/**
 * Drives the demo app's HTTP API (`/_local/apps/demo`). Every call is time-boxed: an app that
 * accepts a change and then never answers becomes a ConnectorError with `timedOut`, which the engine
 * resolves by probing which password logs in.
 */
export function makeDemoDriver(options: { baseUrl: string; timeoutMs: number }): AppDriver {
  const post = async (path: string, body: Record<string, string>) => {
    try {
      return await fetch(`${options.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new ConnectorError(
        timedOut ? `the app did not answer within ${options.timeoutMs} ms` : 'the app is unreachable',
        timedOut,
      );
    }
  };
  const expectOk = async (response: Response, what: string) => {
    if (response.ok) return;
    const body = (await response.json().catch(() => ({}))) as { error?: unknown };
    const code = typeof body.error === 'string' ? body.error.slice(0, 64) : 'error';
    throw new ConnectorError(`the app refused the ${what}: HTTP ${response.status} ${code}`);
  };
  return {
    async login(input) {
      const response = await post('/login', input);
      if (response.status >= 500)
        throw new ConnectorError(`the app failed the login: HTTP ${response.status}`);
      return response.ok;
    },
    async changePassword(input) {
      await expectOk(await post('/change-password', input), 'password change');
    },
    async enrollTotp(input) {
      await expectOk(await post('/totp', input), 'TOTP enrolment');
    },
  };
}
