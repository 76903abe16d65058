import { createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { JwksUnavailableError, LogoutTokenError } from '../../domain/logout/errors';
import type { LogoutTokenClaims, LogoutTokens } from '../../domain/logout/ports';
import { type SafeRequestOptions, safeGet } from '../connectors/safe-http';

/** Asymmetric algorithms only: a shared-secret (HS*) or `none` token is never accepted. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const CLOCK_TOLERANCE_SECONDS = 30;

/** The whole JWKS fetch (resolve, connect, TLS, answer) must end within this. */
export const JWKS_TIMEOUT_MS = 3_000;
/**
 * A JWKS answer larger than this is refused. Real key sets are a few KB (Okta's about 2 KB, Entra's
 * with its certificate chains about 15 KB); 64 KB leaves room without letting an endpoint feed us more.
 */
export const JWKS_MAX_BYTES = 64 * 1024;

/** How the key sets are fetched: the SSRF rules' knobs (tests pass their resolver, CA, allowance). */
export type JwksFetchOptions = Omit<
  SafeRequestOptions,
  'label' | 'signal' | 'timeoutMs' | 'maxResponseBytes'
> &
  Partial<Pick<SafeRequestOptions, 'timeoutMs' | 'maxResponseBytes'>>;

/** Why the keys are out of reach (a message safe for logs: no body, no query). */
export class JwksFetchError extends Error {
  override name = 'JwksFetchError';
}

/**
 * jose's fetch for remote key sets, replaced by the SSRF-safe GET: HTTPS only, public unicast addresses
 * only after DNS resolution (the checked address is the one connected to), no redirect followed, a time
 * box and a size cap; the local runtime's one loopback origin is the only exception. An answer other
 * than 200 with a JSON body is refused here, so it reads as "keys unavailable", never as a bad token.
 */
export function safeJwksFetch(options: JwksFetchOptions) {
  return async (url: string, init: { headers?: Headers; signal?: AbortSignal }): Promise<Response> => {
    const headers = Object.fromEntries(init.headers?.entries() ?? []);
    let answer: Awaited<ReturnType<typeof safeGet>>;
    try {
      answer = await safeGet(url, headers, {
        timeoutMs: JWKS_TIMEOUT_MS,
        maxResponseBytes: JWKS_MAX_BYTES,
        ...options,
        label: 'JWKS',
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (error) {
      throw new JwksFetchError((error as Error).message);
    }
    if (answer.status !== 200) throw new JwksFetchError(`the JWKS answered HTTP ${answer.status}`);
    try {
      JSON.parse(answer.body);
    } catch {
      throw new JwksFetchError('the JWKS answer is not JSON');
    }
    return new Response(answer.body, { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

/**
 * One remote key set per JWKS URL per container: jose caches the keys 10 minutes and refetches on an
 * unknown `kid` (at most every 30 s), through the SSRF-safe fetch.
 */
function remoteKeySets(fetchOptions: JwksFetchOptions): (url: string) => JWTVerifyGetKey {
  const keySets = new Map<string, JWTVerifyGetKey>();
  const fetchJwks = safeJwksFetch(fetchOptions);
  return (url) => {
    let keySet = keySets.get(url);
    if (!keySet) {
      keySet = createRemoteJWKSet(new URL(url), {
        timeoutDuration: JWKS_TIMEOUT_MS,
        cooldownDuration: 30_000,
        cacheMaxAge: 10 * 60_000,
        [customFetch]: fetchJwks,
      });
      keySets.set(url, keySet);
    }
    return keySet;
  };
}

function failureOf(error: unknown): Error {
  if (error instanceof errors.JWTExpired) return new LogoutTokenError('expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return new LogoutTokenError('missing_claim');
    if (error.claim === 'iss') return new LogoutTokenError('wrong_issuer');
    if (error.claim === 'aud') return new LogoutTokenError('wrong_audience');
    if (error.claim === 'nbf' || error.claim === 'iat') return new LogoutTokenError('not_yet_valid');
    return new LogoutTokenError('malformed');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey)
    return new LogoutTokenError('bad_signature');
  if (error instanceof errors.JWKSTimeout) return new JwksUnavailableError('the JWKS did not answer in time');
  if (error instanceof errors.JWKSInvalid)
    return new JwksUnavailableError('the JWKS answer is not a JWK set');
  if (error instanceof errors.JOSEError) return new LogoutTokenError('malformed');
  // The safe fetch failed (refused URL or address, DNS, connection, redirect, size, non-200): out of reach.
  return new JwksUnavailableError(error instanceof JwksFetchError ? error.message : undefined);
}

/**
 * Global Token Revocation request tokens, verified with `jose`: signature against the workspace's JWKS,
 * `iss`, `aud`, `exp` (with 30 s of clock tolerance), `iat`, a short lifetime and a `jti`. The keys are
 * fetched under the SSRF rules (`fetch`: the local runtime's loopback allowance, tests' resolver);
 * `keySetFor` replaces the remote key set in tests.
 */
export function joseLogoutTokens(options: {
  consume: (claims: LogoutTokenClaims) => Promise<boolean>;
  fetch?: JwksFetchOptions;
  keySetFor?: (jwksUrl: string) => JWTVerifyGetKey;
}): LogoutTokens {
  const keySetFor = options.keySetFor ?? remoteKeySets(options.fetch ?? {});
  return {
    async verify(token, config) {
      let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
      try {
        ({ payload } = await jwtVerify(token, keySetFor(config.jwksUrl), {
          issuer: config.issuer,
          audience: config.audience,
          algorithms: ALGORITHMS,
          requiredClaims: ['exp', 'iat', 'jti'],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        }));
      } catch (error) {
        throw failureOf(error);
      }
      const { exp, iat, jti } = payload as { exp: number; iat: number; jti: unknown };
      if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256)
        throw new LogoutTokenError('missing_claim');
      if (iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) throw new LogoutTokenError('not_yet_valid');
      if (exp - iat > config.maxLifetimeSeconds) throw new LogoutTokenError('lifetime_too_long');
      return { issuer: config.issuer, jti, issuedAt: iat, expiresAt: exp };
    },
    consume: options.consume,
  };
}
