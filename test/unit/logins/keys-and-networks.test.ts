import { compactDecrypt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { joseDeviceKeys } from '../../../shared/adapters/jose/device-keys';
import { InvalidPublicKeyError } from '../../../shared/domain/logins/errors';
import { networkOf, sameSender } from '../../../shared/domain/logins/model';

const now = new Date('2026-11-29T12:00:00.000Z');

describe('networkOf', () => {
  it.each([
    ['192.0.2.17', '192.0.2.0/24'],
    ['::ffff:198.51.100.7', '198.51.100.0/24'],
    ['2001:db8:abcd:12::1', '2001:db8:abcd::/48'],
    ['2001:DB8:ABCD:ffff:1:2:3:4', '2001:db8:abcd::/48'],
    ['2001:db8::1', '2001:db8:0::/48'],
    ['::1', '0:0:0::/48'],
  ])('puts %s in %s', (ip, network) => {
    expect(networkOf(ip)).toBe(network);
  });

  it('keeps neighbouring /24s and /48s apart', () => {
    expect(networkOf('127.0.0.1')).toBe(networkOf('127.0.0.254'));
    expect(networkOf('127.0.0.1')).not.toBe(networkOf('127.0.1.1'));
    expect(networkOf('2001:db8:1::1')).not.toBe(networkOf('2001:db8:2::1'));
  });

  it('never files an unparseable address under a real network', () => {
    expect(networkOf('unknown')).toBe('unknown:unknown');
    expect(networkOf('10.0.0')).toMatch(/^unknown:/);
  });
});

describe('sameSender', () => {
  it('matches an email address in any case, with or without its display name', () => {
    expect(sameSender('Acme Ads <No-Reply@Ads.Example>', 'no-reply@ads.example')).toBe(true);
    expect(sameSender('no-reply@ads.example', 'Acme <no-reply@ads.example>')).toBe(true);
    expect(sameSender('+12025550123', '+12025550123')).toBe(true);
  });

  it('tells different senders apart', () => {
    expect(sameSender('Acme Ads <no-reply@ads.example>', 'alerts@ads.example')).toBe(false);
    expect(sameSender('+12025550123', '+12025550124')).toBe(false);
  });
});

describe('joseDeviceKeys', () => {
  async function pair() {
    const { publicKey, privateKey } = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
    return { jwk: await exportJWK(publicKey), privateJwk: await exportJWK(privateKey), privateKey };
  }

  it('reduces a WebCrypto-shaped JWK to the key and its RFC 7638 thumbprint', async () => {
    const { jwk } = await pair();
    const key = await joseDeviceKeys.parsePublicKey({ ...jwk, ext: true, key_ops: [], alg: 'ECDH-ES' }, now);
    expect(Object.keys(key).sort()).toEqual(['crv', 'kty', 'setAt', 'thumbprint', 'x', 'y']);
    expect(key.thumbprint).toMatch(/^[\w-]{43}$/);
    expect(key.setAt).toBe(now.toISOString());
  });

  it('refuses a private key, another curve, a point off the curve and malformed coordinates', async () => {
    const { jwk, privateJwk } = await pair();
    const offCurve = { ...jwk, y: jwk.x };
    const refusals = await Promise.allSettled([
      joseDeviceKeys.parsePublicKey(privateJwk, now),
      joseDeviceKeys.parsePublicKey({ ...jwk, crv: 'P-384' }, now),
      joseDeviceKeys.parsePublicKey({ kty: 'RSA', n: 'x', e: 'AQAB' }, now),
      joseDeviceKeys.parsePublicKey(offCurve, now),
      joseDeviceKeys.parsePublicKey({ ...jwk, x: 'short' }, now),
    ]);
    const reasons = refusals.map((r) => (r.status === 'rejected' ? (r.reason as InvalidPublicKeyError) : r));
    for (const reason of reasons) expect(reason).toBeInstanceOf(InvalidPublicKeyError);
    expect(reasons.map((r) => (r as InvalidPublicKeyError).details.reason)).toEqual([
      'it holds a private part (d); send the public key only',
      'it must be an EC P-256 key',
      'it must be an EC P-256 key',
      'the point is not on the P-256 curve',
      'x and y must be 32-byte base64url coordinates',
    ]);
  });

  it('seals a compact ECDH-ES/A256GCM JWE that names the key and opens only with its private half', async () => {
    const mine = await pair();
    const other = await pair();
    const key = await joseDeviceKeys.parsePublicKey(mine.jwk, now);

    const jwe = await joseDeviceKeys.seal(key, { password: 'hunter2' });

    expect(jwe.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(jwe)).toMatchObject({ alg: 'ECDH-ES', enc: 'A256GCM', kid: key.thumbprint });
    const { plaintext } = await compactDecrypt(jwe, mine.privateKey);
    expect(JSON.parse(new TextDecoder().decode(plaintext))).toEqual({ password: 'hunter2' });
    await expect(compactDecrypt(jwe, other.privateKey)).rejects.toThrow();
  });
});
