import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { JwksUnavailableError, LogoutTokenError } from '../../domain/logout/errors';
import type { LogoutTokenClaims, LogoutTokens } from '../../domain/logout/ports';

/** Asymmetric algorithms only: a shared-secret (HS*) or `none` token is never accepted. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const CLOCK_TOLERANCE_SECONDS = 30;

/** One remote key set per JWKS URL per container: jose caches the keys and refetches on an unknown `kid`. */
const remoteKeySets = new Map<string, JWTVerifyGetKey>();
function remoteKeySet(url: string): JWTVerifyGetKey {
  let keySet = remoteKeySets.get(url);
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(url), {
      timeoutDuration: 3_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
    });
    remoteKeySets.set(url, keySet);
  }
  return keySet;
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
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid)
    return new JwksUnavailableError();
  if (error instanceof errors.JOSEError) return new LogoutTokenError('malformed');
  // fetch() itself failed (DNS, refused connection, a non-200 answer): the keys are out of reach.
  return new JwksUnavailableError();
}

/**
 * Global Token Revocation request tokens, verified with `jose`: signature against the workspace's JWKS,
 * `iss`, `aud`, `exp` (with 30 s of clock tolerance), `iat`, a short lifetime and a `jti`. `keySetFor`
 * replaces the remote key set in tests.
 */
export function joseLogoutTokens(options: {
  consume: (claims: LogoutTokenClaims) => Promise<boolean>;
  keySetFor?: (jwksUrl: string) => JWTVerifyGetKey;
}): LogoutTokens {
  const keySetFor = options.keySetFor ?? remoteKeySet;
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
