import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { joseLogoutTokens } from '../../../shared/adapters/jose/logout-tokens';
import {
  InvalidSubjectError,
  LogoutTokenError,
  UnsupportedSubjectFormatError,
} from '../../../shared/domain/logout/errors';
import {
  type GlobalLogoutDeps,
  globalTokenRevocation,
  parseSubjectId,
} from '../../../shared/domain/logout/global-token-revocation';
import type { LogoutTokenConfig } from '../../../shared/domain/logout/ports';
import { toErrorResponse } from '../../../shared/http/errors';

const ISSUER = 'https://idp.example.okta.com';
const AUDIENCE = 'https://api.latchkey.example/v1/workspaces/ws_1/global-token-revocation';
const CONFIG: LogoutTokenConfig = {
  issuer: ISSUER,
  jwksUrl: 'https://idp.example.okta.com/oauth2/v1/keys',
  audience: AUDIENCE,
  maxLifetimeSeconds: 300,
};

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

describe('Global Token Revocation request tokens', () => {
  let signingKey: Key;
  let otherKey: Key;
  let publicJwk: JWK;
  const used = new Set<string>();
  let tokens: ReturnType<typeof joseLogoutTokens>;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    signingKey = pair.privateKey;
    otherKey = (await generateKeyPair('ES256')).privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
    const keySet = createLocalJWKSet({ keys: [publicJwk] });
    tokens = joseLogoutTokens({
      keySetFor: () => keySet,
      consume: async (claims) => {
        const key = `${claims.issuer}#${claims.jti}`;
        if (used.has(key)) return false;
        used.add(key);
        return true;
      },
    });
  });

  /** A request token as the IdP signs one; each option breaks one thing. */
  async function token(
    options: {
      issuer?: string;
      audience?: string;
      jti?: string | null;
      iat?: number;
      exp?: number;
      key?: Key;
      kid?: string;
    } = {},
  ) {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'k1' })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt(options.iat ?? now)
      .setExpirationTime(options.exp ?? now + 60);
    if (options.jti !== null) jwt.setJti(options.jti ?? crypto.randomUUID());
    return jwt.sign(options.key ?? signingKey);
  }

  const reasonOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error instanceof LogoutTokenError ? error.reason : `other: ${String(error)}`;
    }
    return 'accepted';
  };

  it('accepts a token signed by a key of the JWKS, with the issuer, audience, a short life and a jti', async () => {
    const claims = await tokens.verify(await token({ jti: 'abc' }), CONFIG);
    expect(claims).toMatchObject({ issuer: ISSUER, jti: 'abc' });
    expect(claims.expiresAt - claims.issuedAt).toBe(60);
  });

  it('refuses each broken token with its stable reason', async () => {
    const now = Math.floor(Date.now() / 1000);
    const hs256 = await new SignJWT({ jti: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode('a shared secret of at least thirty-two bytes'));
    const cases: Array<[string, Promise<string>]> = [
      ['bad_signature', token({ key: otherKey }).then((t) => reasonOf(tokens.verify(t, CONFIG)))],
      ['bad_signature', token({ kid: 'unknown' }).then((t) => reasonOf(tokens.verify(t, CONFIG)))],
      [
        'wrong_issuer',
        token({ issuer: 'https://evil.example' }).then((t) => reasonOf(tokens.verify(t, CONFIG))),
      ],
      [
        'wrong_audience',
        token({ audience: 'https://api.latchkey.example/other' }).then((t) =>
          reasonOf(tokens.verify(t, CONFIG)),
        ),
      ],
      ['expired', token({ iat: now - 600, exp: now - 300 }).then((t) => reasonOf(tokens.verify(t, CONFIG)))],
      ['lifetime_too_long', token({ exp: now + 3600 }).then((t) => reasonOf(tokens.verify(t, CONFIG)))],
      [
        'not_yet_valid',
        token({ iat: now + 600, exp: now + 660 }).then((t) => reasonOf(tokens.verify(t, CONFIG))),
      ],
      ['missing_claim', token({ jti: null }).then((t) => reasonOf(tokens.verify(t, CONFIG)))],
      ['malformed', reasonOf(tokens.verify(hs256, CONFIG))],
      ['malformed', reasonOf(tokens.verify('not.a.jwt', CONFIG))],
    ];
    for (const [expected, actual] of cases) expect(await actual).toBe(expected);
  });

  it('maps every refusal to 401 invalid_token with the reason, and an unknown format to 400', () => {
    for (const reason of ['bad_signature', 'expired', 'replayed', 'wrong_audience'] as const) {
      const response = toErrorResponse(new LogoutTokenError(reason));
      expect(response).toMatchObject({
        status: 401,
        body: { error: 'invalid_token', reason },
        unexpected: false,
      });
    }
    expect(toErrorResponse(new UnsupportedSubjectFormatError('phone_number'))).toMatchObject({
      status: 400,
      body: { error: 'unsupported_subject_format', supported: ['email', 'iss_sub'] },
    });
  });

  describe('the request as a whole', () => {
    const loggedOut: string[] = [];
    const deps = () =>
      ({
        settings: {
          get: async (workspaceId: string) =>
            workspaceId === 'ws_1'
              ? ({ universalLogout: { issuer: ISSUER, jwksUrl: CONFIG.jwksUrl } } as never)
              : undefined,
        },
        logoutTokens: tokens,
        users: {
          findUserIdByIdentity: async () => undefined,
          getUser: async (id: string) => (id === 'usr_1' ? { id, workspaceId: 'ws_1' } : undefined),
        },
        userIdByEmail: async (_ws: string, email: string) =>
          email === 'a@acme.example' ? 'usr_1' : undefined,
        security: { record: () => undefined },
        // Past the checks, logging out lists the devices first: the test records who got that far.
        devices: {
          listDevices: async (userId: string) => {
            loggedOut.push(userId);
            return [];
          },
          disableAll: async () => 'applied',
        },
        ledger: { accountsGrantedTo: async () => [], record: async () => undefined },
        accounts: { get: async () => undefined },
        clock: { now: () => new Date() },
        newId: (prefix: string) => `${prefix}_${crypto.randomUUID()}`,
      }) as unknown as GlobalLogoutDeps;
    const request = async (
      authorization: string | undefined,
      subId: Record<string, unknown>,
      workspaceId = 'ws_1',
    ) =>
      globalTokenRevocation(
        { workspaceId, authorization, subId: subId as { format: string }, endpoint: AUDIENCE },
        deps(),
      );

    it('logs the subject out once; the same token again is replayed', async () => {
      const bearer = `Bearer ${await token()}`;
      const first = await request(bearer, { format: 'email', email: 'a@acme.example' });
      const again = await reasonOf(request(bearer, { format: 'email', email: 'a@acme.example' }));

      expect(first?.userId).toBe('usr_1');
      expect(again).toBe('replayed');
      expect(loggedOut).toEqual(['usr_1']);
    });

    it('refuses a missing or non-bearer header, an unconfigured workspace and an unknown format', async () => {
      expect(await reasonOf(request(undefined, { format: 'email', email: 'a@acme.example' }))).toBe(
        'missing',
      );
      expect(
        await reasonOf(request('Basic dXNlcjpwdw==', { format: 'email', email: 'a@acme.example' })),
      ).toBe('malformed');
      expect(
        await reasonOf(request(`Bearer ${await token()}`, { format: 'email', email: 'x@y.z' }, 'ws_other')),
      ).toBe('not_configured');
      await expect(request(`Bearer ${await token()}`, { format: 'opaque', id: '1' })).rejects.toBeInstanceOf(
        UnsupportedSubjectFormatError,
      );
    });

    it('answers an unknown subject without logging anyone out', async () => {
      const before = loggedOut.length;
      const result = await request(`Bearer ${await token()}`, {
        format: 'email',
        email: 'nobody@acme.example',
      });
      expect(result).toBeUndefined();
      expect(loggedOut).toHaveLength(before);
    });
  });

  it('reads only the two subject formats it supports', () => {
    expect(parseSubjectId({ format: 'email', email: 'a@b.c' })).toEqual({ format: 'email', email: 'a@b.c' });
    expect(parseSubjectId({ format: 'iss_sub', iss: 'https://i', sub: 's' })).toEqual({
      format: 'iss_sub',
      iss: 'https://i',
      sub: 's',
    });
    expect(() => parseSubjectId({ format: 'email' })).toThrow(InvalidSubjectError);
    expect(() => parseSubjectId({ format: 'iss_sub', iss: 'https://i' })).toThrow(InvalidSubjectError);
    expect(() => parseSubjectId({ format: 'account', uri: 'acct:a@b' })).toThrow(
      UnsupportedSubjectFormatError,
    );
  });
});
