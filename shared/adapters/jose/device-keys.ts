import { CompactEncrypt, calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import { InvalidPublicKeyError } from '../../domain/logins/errors';
import type { DeviceKeyCodec } from '../../domain/ports';

const BASE64URL_32_BYTES = /^[A-Za-z0-9_-]{43}$/;
const ALG = 'ECDH-ES';
const ENC = 'A256GCM';

/**
 * Device keys with `jose` at the boundary: the library checks the point and does the ECDH-ES and
 * AES-GCM; the domain sees a reduced key and opaque compact JWEs. The server never holds a key that
 * opens what it seals.
 */
export const joseDeviceKeys: DeviceKeyCodec = {
  async parsePublicKey(input, now) {
    const jwk = input as JWK;
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256')
      throw new InvalidPublicKeyError('it must be an EC P-256 key');
    // A private key sent to the server has left its device: refuse it rather than drop the part.
    if ('d' in jwk) throw new InvalidPublicKeyError('it holds a private part (d); send the public key only');
    if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string')
      throw new InvalidPublicKeyError('x and y are missing');
    if (!BASE64URL_32_BYTES.test(jwk.x) || !BASE64URL_32_BYTES.test(jwk.y))
      throw new InvalidPublicKeyError('x and y must be 32-byte base64url coordinates');
    const reduced = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } as const;
    try {
      // Node's key import refuses a point that is not on the curve (invalid-curve attacks).
      await importJWK(reduced, ALG);
    } catch {
      throw new InvalidPublicKeyError('the point is not on the P-256 curve');
    }
    return {
      ...reduced,
      thumbprint: await calculateJwkThumbprint(reduced, 'sha256'),
      setAt: now.toISOString(),
    };
  },

  async seal(key, payload) {
    const publicKey = await importJWK({ kty: key.kty, crv: key.crv, x: key.x, y: key.y }, ALG);
    return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: ALG, enc: ENC, kid: key.thumbprint, cty: 'application/json' })
      .encrypt(publicKey);
  },
};
