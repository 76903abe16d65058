import { readFileSync } from 'node:fs';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { CALL_BUDGETS } from '../../../shared/adapters/aws/call-budget';
import { kmsDataKeys, localDataKeys, makeKeyring } from '../../../shared/adapters/kms/keyring';
import { parseTotp, totpCode } from '../../../shared/domain/accounts/totp';

const vectors = JSON.parse(readFileSync('test/fixtures/rfc-otp-vectors.json', 'utf8'));

function base32(ascii: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of Buffer.from(ascii)) bits += byte.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5)
    out += alphabet[Number.parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out;
}

describe('TOTP (RFC 6238 Appendix B, with erratum 2866 seeds)', () => {
  for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
    it(`matches every vector for ${algorithm}`, async () => {
      const secret = base32(vectors.rfc6238_totp.seeds_ascii[algorithm]);
      for (const vector of vectors.rfc6238_totp.vectors) {
        const result = await totpCode(
          { secret, digits: 8, period: 30, algorithm },
          new Date(vector.time * 1000),
        );
        expect(result.code, `t=${vector.time}`).toBe(vector[algorithm]);
      }
    });
  }

  it('says when the code stops being valid: the end of its 30 s step', async () => {
    const result = await totpCode(
      { secret: base32('12345678901234567890'), digits: 6, period: 30, algorithm: 'SHA1' },
      new Date('2026-11-23T12:00:10.000Z'),
    );
    expect(result).toMatchObject({ period: 30, expiresAt: '2026-11-23T12:00:30.000Z' });
    expect(result.code).toMatch(/^\d{6}$/);
  });

  it('parses otpauth URIs with their parameters', () => {
    expect(
      parseTotp({
        otpauthUri:
          'otpauth://totp/Acme:bob?secret=JBSWY3DPEHPK3PXP&issuer=Acme&digits=8&period=60&algorithm=SHA256',
      }),
    ).toEqual({ secret: 'JBSWY3DPEHPK3PXP', digits: 8, period: 60, algorithm: 'SHA256' });
    expect(parseTotp({ secret: 'jbsw y3dp ehpk 3pxp' })).toEqual({
      secret: 'JBSWY3DPEHPK3PXP',
      digits: 6,
      period: 30,
      algorithm: 'SHA1',
    });
  });

  it.each([
    [{ otpauthUri: 'otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP' }, /totp/],
    [{ otpauthUri: 'https://example.com' }, /totp/],
    [{ otpauthUri: 'otpauth://totp/x' }, /no secret/],
    [{ secret: 'not base32!' }, /base32/],
    [{ secret: 'JBSWY3DP' }, /80 bits/],
    [{ secret: 'JBSWY3DPEHPK3PXP', digits: 9 }, /digits/],
    [{ secret: 'JBSWY3DPEHPK3PXP', period: 5 }, /period/],
    [{ secret: 'JBSWY3DPEHPK3PXP', algorithm: 'MD5' }, /algorithm/],
  ])('refuses %o', (input, message) => {
    expect(() => parseTotp(input as never)).toThrow(message);
  });
});

describe('envelope keyring', () => {
  const keyring = makeKeyring(localDataKeys(Buffer.alloc(32, 9)));
  const context = { accountId: 'acc_1', purpose: 'account-password' };

  it('seals a secret that only the same context opens, with a fresh data key each time', async () => {
    const sealed = await keyring.seal('hunter2', context);
    const again = await keyring.seal('hunter2', context);

    expect(await keyring.open(sealed, context)).toBe('hunter2');
    expect(JSON.stringify(sealed)).not.toContain('hunter2');
    expect(sealed.edk).not.toBe(again.edk);
    await expect(keyring.open(sealed, { ...context, accountId: 'acc_2' })).rejects.toThrow();
  });

  it('refuses a tampered ciphertext', async () => {
    const sealed = await keyring.seal('hunter2', context);
    const ct = Buffer.from(sealed.ct, 'base64');
    ct[0] = (ct[0] ?? 0) ^ 1;

    await expect(keyring.open({ ...sealed, ct: ct.toString('base64') }, context)).rejects.toThrow();
  });

  it('asks KMS for an AES-256 data key bound to the encryption context, and decrypts with it', async () => {
    const dataKey = new Uint8Array(32).fill(3);
    const encrypted = new Uint8Array([1, 2, 3, 4]);
    const mock = mockClient(KMSClient);
    mock.on(GenerateDataKeyCommand).resolves({ Plaintext: dataKey, CiphertextBlob: encrypted });
    mock.on(DecryptCommand).resolves({ Plaintext: dataKey });
    const kms = makeKeyring(
      kmsDataKeys(new KMSClient({ region: 'us-east-1' }), {
        keyId: 'arn:aws:kms:us-east-1:1:key/k',
        budget: CALL_BUDGETS.request,
      }),
    );

    const sealed = await kms.seal('s3cret', context);
    const opened = await kms.open(sealed, context);

    expect(opened).toBe('s3cret');
    expect(mock.commandCalls(GenerateDataKeyCommand).map((call) => call.args[0].input)).toEqual([
      { KeyId: 'arn:aws:kms:us-east-1:1:key/k', KeySpec: 'AES_256', EncryptionContext: context },
    ]);
    expect(mock.commandCalls(DecryptCommand).map((call) => call.args[0].input)).toEqual([
      {
        KeyId: 'arn:aws:kms:us-east-1:1:key/k',
        CiphertextBlob: Buffer.from(encrypted),
        EncryptionContext: context,
      },
    ]);
    mock.restore();
  });
});
