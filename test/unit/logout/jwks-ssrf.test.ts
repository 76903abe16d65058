import https from 'node:https';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWebhookUrl } from '../../../shared/adapters/connectors/address-policy';
import {
  JWKS_MAX_BYTES,
  type JwksFetchOptions,
  joseLogoutTokens,
} from '../../../shared/adapters/jose/logout-tokens';
import {
  type DirectorySettings,
  type DirectorySettingsStore,
  updateDirectorySettings,
} from '../../../shared/domain/directory/settings';
import { JwksUnavailableError } from '../../../shared/domain/logout/errors';
import {
  type GlobalLogoutDeps,
  globalTokenRevocation,
} from '../../../shared/domain/logout/global-token-revocation';
import type { SecurityEvent } from '../../../shared/domain/ports';
import type { User } from '../../../shared/domain/users/model';
import { toErrorResponse } from '../../../shared/http/errors';
import { localServers, throwAwayCertificate } from '../../support/tls';

const ISSUER = 'https://idp.customer.test';
const AUDIENCE = 'https://api.latchkey.example/v1/workspaces/ws_1/global-token-revocation';
const HOST = 'idp.customer.test';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** The check the directory runtime injects: the webhook connector's, with an optional local origin. */
const checkJwksUrl = (localOrigin?: string) => (url: string) => {
  const checked = checkWebhookUrl(url, localOrigin);
  return checked.ok ? undefined : checked.reason;
};

describe('the JWKS URL at configuration time (PUT /v1/workspace/directory)', () => {
  const admin = { id: 'usr_admin', workspaceId: 'ws_1' } as User;
  function store(initial?: DirectorySettings) {
    const writes: DirectorySettings[] = [];
    let current = initial;
    const settings: DirectorySettingsStore = {
      get: async () => current,
      initialise: async (_ws, value) => value,
      put: async (_ws, value) => {
        writes.push(value);
        current = value;
      },
      memberEmails: async () => [],
    };
    return { settings, writes };
  }
  const update = (
    jwksUrl: string,
    target = store(),
    localOrigin: string | undefined = undefined,
    universalLogout: boolean = true,
  ) =>
    updateDirectorySettings(
      admin,
      {
        jitProvisioning: false,
        allowedEmailDomains: [],
        ...(universalLogout ? { universalLogout: { issuer: ISSUER, jwksUrl } } : {}),
      },
      {
        settings: target.settings,
        clock: { now: () => new Date('2026-11-29T22:00:00Z') },
        security: { record: () => undefined },
        checkJwksUrl: checkJwksUrl(localOrigin),
      },
    );
  const refusal = async (promise: Promise<unknown>) =>
    toErrorResponse(
      await promise.then(
        () => new Error('accepted'),
        (error: unknown) => error,
      ),
    );

  it.each([
    ['http://idp.customer.test/keys', 'not HTTPS'],
    ['https://10.0.0.5/keys', 'an address in a refused range (private)'],
    ['https://192.168.0.10/keys', 'an address in a refused range (private)'],
    ['https://127.0.0.1/keys', 'an address in a refused range (loopback)'],
    ['https://[::1]/keys', 'an address in a refused range (loopback)'],
    ['https://169.254.169.254/latest/meta-data/', 'an address in a refused range (linkLocal)'],
    ['https://[fe80::1]/keys', 'an address in a refused range (linkLocal)'],
    ['https://[fd00:ec2::254]/keys', 'an address in a refused range (uniqueLocal)'],
    ['https://localhost/keys', 'not a public host name'],
    ['https://metadata.google.internal/computeMetadata/v1/', 'not a public host name'],
    ['https://user:pw@idp.customer.test/keys', 'credentials in the URL'],
  ])('refuses %s with 422 jwks_url_refused (%s) and writes nothing', async (url, reason) => {
    const target = store();
    const response = await refusal(update(url, target));

    expect(response).toMatchObject({ status: 422, body: { error: 'jwks_url_refused', reason } });
    expect(target.writes).toEqual([]);
  });

  it('accepts a public HTTPS URL, and plain HTTP only on the exact local origin of the local runtime', async () => {
    const origin = 'http://127.0.0.1:8787';
    const dev = `${origin}/_local/.well-known/jwks.json`;

    expect((await update('https://acme.okta.com/oauth2/v1/keys')).universalLogout?.jwksUrl).toBe(
      'https://acme.okta.com/oauth2/v1/keys',
    );
    expect((await update(dev, store(), origin)).universalLogout?.jwksUrl).toBe(dev);
    expect(await refusal(update(dev))).toMatchObject({ status: 422, body: { reason: 'not HTTPS' } });
    expect(await refusal(update('http://localhost:8787/x', store(), origin))).toMatchObject({
      status: 422,
      body: { reason: 'not HTTPS' },
    });
  });

  it('does not refuse an unrelated change because of a JWKS URL kept as it was (that one is checked at fetch)', async () => {
    const older: DirectorySettings = {
      jitProvisioning: true,
      allowedEmailDomains: [],
      linkBy: 'verified_email',
      source: 'admin',
      updatedAt: '2026-11-01T00:00:00Z',
      universalLogout: { issuer: ISSUER, jwksUrl: 'https://10.0.0.5/keys' },
    };
    const target = store(older);
    const view = await update('ignored', target, undefined, false);

    expect(view.jitProvisioning).toBe(false);
    expect(target.writes).toHaveLength(1);
  });
});

describe('the JWKS fetch at verification time (real local servers)', () => {
  const { listen, plain, closeAll } = localServers();
  let tls: { key: Buffer; cert: Buffer };
  let signingKey: Key;
  let jwks: { keys: JWK[] };

  beforeAll(async () => {
    tls = throwAwayCertificate(HOST);
    const pair = await generateKeyPair('ES256', { extractable: true });
    signingKey = pair.privateKey;
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] };
  });
  afterAll(closeAll);

  const token = () =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1m')
      .setJti(crypto.randomUUID())
      .sign(signingKey);

  /** Verifies a fresh token against `jwksUrl` with a fresh key cache: the claims, or what was thrown. */
  async function verifyAgainst(jwksUrl: string, fetch: JwksFetchOptions) {
    const tokens = joseLogoutTokens({ consume: async () => true, fetch });
    return tokens
      .verify(await token(), { issuer: ISSUER, jwksUrl, audience: AUDIENCE, maxLifetimeSeconds: 300 })
      .catch((error: unknown) => error);
  }

  /** An HTTPS JWKS server for `HOST` that counts every TCP connection and request it gets. */
  async function jwksServer(body: () => string = () => JSON.stringify(jwks)) {
    const seen = { connections: 0, requests: [] as string[] };
    const server = https.createServer(tls, (req, res) => {
      seen.requests.push(`${req.method} ${req.url} ${req.headers.accept}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(body());
    });
    server.on('connection', () => seen.connections++);
    const port = await listen(server);
    return { url: `https://${HOST}:${port}/oauth2/v1/keys`, seen };
  }

  it('fetches the keys over HTTPS through the checked lookup and verifies the token', async () => {
    const { url, seen } = await jwksServer();
    const resolved: string[] = [];
    const claims = await verifyAgainst(url, {
      ca: tls.cert,
      resolve: async (host) => {
        resolved.push(host);
        return [{ address: '127.0.0.1', family: 4 }];
      },
      // Only here does loopback stand in for a public address.
      addressAllowed: (address) => address === '127.0.0.1',
    });

    expect(claims).toMatchObject({ issuer: ISSUER });
    expect(resolved).toEqual([HOST]);
    expect(seen.requests).toEqual(['GET /oauth2/v1/keys application/json, application/jwk-set+json']);
  });

  it('refuses a JWKS host that resolves to a private, loopback or link-local address: 503, no byte sent', async () => {
    const { url, seen } = await jwksServer();
    for (const address of ['127.0.0.1', '10.0.0.7', '192.168.1.20', '169.254.169.254', '::1', 'fe80::1']) {
      const error = await verifyAgainst(url, {
        ca: tls.cert,
        resolve: async () => [{ address, family: address.includes(':') ? 6 : 4 }],
      });
      expect(error).toBeInstanceOf(JwksUnavailableError);
      expect((error as JwksUnavailableError).why).toMatch(
        /^the JWKS host is refused: an address in a refused range/,
      );
      expect(toErrorResponse(error)).toMatchObject({ status: 503, body: { error: 'jwks_unavailable' } });
    }
    expect(seen.connections).toBe(0);
    expect(seen.requests).toEqual([]);
  });

  it('refuses a stored URL the rules refuse (plain HTTP, a private literal) without connecting', async () => {
    let hits = 0;
    const port = await plain((_req, res) => {
      hits++;
      res.end(JSON.stringify(jwks));
    });
    const plainHttp = await verifyAgainst(`http://127.0.0.1:${port}/keys`, {});
    const literal = await verifyAgainst('https://10.0.0.1/keys', {});

    expect((plainHttp as JwksUnavailableError).why).toBe('the JWKS URL is refused: not HTTPS');
    expect((literal as JwksUnavailableError).why).toBe(
      'the JWKS URL is refused: an address in a refused range (private)',
    );
    expect(hits).toBe(0);
  });

  it('does not follow a redirect (here to the keys themselves): 503', async () => {
    const paths: string[] = [];
    const port = await plain((req, res) => {
      paths.push(req.url ?? '');
      if (req.url === '/moved') res.end(JSON.stringify(jwks));
      else res.writeHead(302, { location: '/moved' }).end();
    });
    const origin = `http://127.0.0.1:${port}`;
    const error = await verifyAgainst(`${origin}/keys`, { localOrigin: origin });

    expect(error).toBeInstanceOf(JwksUnavailableError);
    expect((error as JwksUnavailableError).why).toBe(
      'the JWKS answered a redirect (HTTP 302), which is not followed',
    );
    expect(paths).toEqual(['/keys']);
  });

  it('refuses a JWKS answer larger than the cap, however valid: 503', async () => {
    const padding = 'x'.repeat(JWKS_MAX_BYTES);
    const { url } = await jwksServer(() => JSON.stringify({ keys: [...jwks.keys, { kty: 'oct', padding }] }));
    const options = { ca: tls.cert, resolve: async () => [{ address: '127.0.0.1', family: 4 }] };
    const error = await verifyAgainst(url, { ...options, addressAllowed: () => true });

    expect((error as JwksUnavailableError).why).toBe(
      `the JWKS’s answer is larger than ${JWKS_MAX_BYTES} bytes`,
    );
  });

  it('answers 503, not 401, when the JWKS answers an error status, something that is not JSON or not a key set', async () => {
    const port = await plain((req, res) => {
      if (req.url === '/down') res.writeHead(500).end('{"error":"down"}');
      else if (req.url === '/json') res.end('{"keys":"none"}');
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
    });
    const origin = `http://127.0.0.1:${port}`;
    const down = await verifyAgainst(`${origin}/down`, { localOrigin: origin });
    const html = await verifyAgainst(`${origin}/html`, { localOrigin: origin });
    const notASet = await verifyAgainst(`${origin}/json`, { localOrigin: origin });

    expect(toErrorResponse(down)).toMatchObject({ status: 503, body: { error: 'jwks_unavailable' } });
    expect((down as JwksUnavailableError).why).toBe('the JWKS answered HTTP 500');
    expect(toErrorResponse(html)).toMatchObject({ status: 503, body: { error: 'jwks_unavailable' } });
    expect((html as JwksUnavailableError).why).toBe('the JWKS answer is not JSON');
    expect(toErrorResponse(notASet)).toMatchObject({ status: 503, body: { error: 'jwks_unavailable' } });
    expect((notASet as JwksUnavailableError).why).toBe('the JWKS answer is not a JWK set');
  });

  it('gives up within the time box', async () => {
    const port = await plain(() => {
      // Never answers.
    });
    const origin = `http://127.0.0.1:${port}`;
    const error = await verifyAgainst(`${origin}/keys`, { localOrigin: origin, timeoutMs: 200 });

    expect((error as JwksUnavailableError).why).toBe('the JWKS did not answer within 200 ms');
  });

  it('tells admins why in the security log, and the anonymous caller only jwks_unavailable', async () => {
    const events: SecurityEvent[] = [];
    const deps = {
      settings: {
        get: async () => ({ universalLogout: { issuer: ISSUER, jwksUrl: `https://${HOST}/keys` } }) as never,
      },
      logoutTokens: joseLogoutTokens({
        consume: async () => true,
        fetch: { resolve: async () => [{ address: '169.254.169.254', family: 4 }] },
      }),
      security: { record: (event: SecurityEvent) => events.push(event) },
    } as unknown as GlobalLogoutDeps;
    const error = await globalTokenRevocation(
      {
        workspaceId: 'ws_1',
        authorization: `Bearer ${await token()}`,
        subId: { format: 'email', email: 'a@acme.example' },
        endpoint: AUDIENCE,
      },
      deps,
    ).catch((e: unknown) => e);

    const response = toErrorResponse(error);
    expect(response).toMatchObject({ status: 503, body: { error: 'jwks_unavailable', retryAfter: 30 } });
    expect(JSON.stringify(response.body)).not.toMatch(/refused|169\.254/);
    expect(events).toEqual([
      expect.objectContaining({
        event: 'user.universal_logout',
        outcome: 'failure',
        reason: 'ws_1:jwks_unavailable:the JWKS host is refused: an address in a refused range (linkLocal)',
      }),
    ]);
  });
});
