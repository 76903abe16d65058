import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';

/**
 * A development identity provider: signs JWTs the way Cognito or any OIDC IdP would, and publishes the
 * JWKS the local gateway verifies them against. Exists only in the local runtime.
 */
export const DEV_IDP = {
  /** Stable across ports and restarts, so seeded identities keep matching. */
  issuer: 'https://idp.latchkey.local',
  audience: 'latchkey-local',
  algorithm: 'ES256',
  keyId: 'latchkey-dev-1',
  defaultLifetimeSeconds: 12 * 60 * 60,
} as const;

export interface TokenRequest {
  email: string;
  name: string;
  workspace: string;
  lifetimeSeconds?: number;
}

/** The subject the dev IdP gives an email: deterministic, so a seeded user and its token agree. */
export function devSubject(email: string): string {
  return `dev-${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 24)}`;
}

/** A Global Token Revocation request token, as Okta signs one for an app's Universal Logout endpoint. */
export interface LogoutTokenRequest {
  /** The GTR endpoint's URL (the `aud`). */
  audience: string;
  lifetimeSeconds?: number;
  /** A fixed `jti` (tests of replay); random otherwise. */
  jti?: string;
}

export interface DevIdp {
  issue(request: TokenRequest): Promise<{ token: string; expiresIn: number }>;
  /** Signs a GTR request token with the same key its JWKS publishes. */
  signLogoutToken(request: LogoutTokenRequest): Promise<{ token: string; jti: string }>;
  jwks(): JSONWebKeySet;
  /** Verifies issuer, audience, signature and expiry; throws otherwise. */
  verify(token: string): Promise<JWTPayload>;
}

async function loadOrCreateKey(keyFile: string | undefined): Promise<JWK> {
  if (keyFile && existsSync(keyFile)) return JSON.parse(readFileSync(keyFile, 'utf8')) as JWK;
  const { privateKey } = await generateKeyPair(DEV_IDP.algorithm, { extractable: true });
  const jwk = await exportJWK(privateKey);
  if (keyFile) {
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, JSON.stringify(jwk), { mode: 0o600 });
  }
  return jwk;
}

export async function createDevIdp(options: { workspaceClaim: string; keyFile?: string }): Promise<DevIdp> {
  const privateJwk = await loadOrCreateKey(options.keyFile);
  const signingKey = await importJWK(privateJwk, DEV_IDP.algorithm);
  const { d: _private, ...publicJwk } = privateJwk;
  const jwks: JSONWebKeySet = {
    keys: [{ ...publicJwk, kid: DEV_IDP.keyId, alg: DEV_IDP.algorithm, use: 'sig' }],
  };
  const keySet = createLocalJWKSet(jwks);
  return {
    async issue(request) {
      const expiresIn = request.lifetimeSeconds ?? DEV_IDP.defaultLifetimeSeconds;
      const token = await new SignJWT({
        email: request.email.toLowerCase(),
        email_verified: true,
        name: request.name,
        [options.workspaceClaim]: request.workspace,
        token_use: 'id',
      })
        .setProtectedHeader({ alg: DEV_IDP.algorithm, kid: DEV_IDP.keyId, typ: 'JWT' })
        .setIssuer(DEV_IDP.issuer)
        .setAudience(DEV_IDP.audience)
        .setSubject(devSubject(request.email))
        .setIssuedAt()
        .setExpirationTime(`${expiresIn}s`)
        .sign(signingKey);
      return { token, expiresIn };
    },
    async signLogoutToken(request) {
      const jti = request.jti ?? randomUUID();
      const token = await new SignJWT({})
        .setProtectedHeader({
          alg: DEV_IDP.algorithm,
          kid: DEV_IDP.keyId,
          typ: 'global-token-revocation+jwt',
        })
        .setIssuer(DEV_IDP.issuer)
        .setAudience(request.audience)
        .setSubject('latchkey-dev-idp-client')
        .setJti(jti)
        .setIssuedAt()
        .setExpirationTime(`${request.lifetimeSeconds ?? 60}s`)
        .sign(signingKey);
      return { token, jti };
    },
    jwks: () => jwks,
    async verify(token) {
      const { payload } = await jwtVerify(token, keySet, {
        issuer: DEV_IDP.issuer,
        audience: DEV_IDP.audience,
        algorithms: [DEV_IDP.algorithm],
      });
      return payload;
    },
  };
}
