import { GenerateMacCommand, KMSClient, KMSInvalidStateException } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CALL_BUDGETS } from '../../../shared/adapters/aws/call-budget';
import { makeHmac } from '../../../shared/adapters/crypto/hmac';
import { HMAC_KEY_DERIVATION, kmsDerivedKey } from '../../../shared/adapters/kms/hmac-key';

const MAC = new Uint8Array(32).fill(7);
const kms = mockClient(KMSClient);

describe('kmsDerivedKey (KMS GenerateMac)', () => {
  beforeEach(() => kms.reset());

  it('sends exactly one GenerateMac of the fixed derivation message and returns the MAC', async () => {
    kms.on(GenerateMacCommand).resolves({ Mac: MAC });
    const load = kmsDerivedKey(
      new KMSClient({ region: 'eu-west-1' }),
      'arn:aws:kms:eu-west-1:111122223333:key/k-1',
      CALL_BUDGETS.coldStart,
    );

    const key = await load();

    expect(key.equals(Buffer.from(MAC))).toBe(true);
    expect(kms.commandCalls(GenerateMacCommand)).toHaveLength(1);
    expect(kms.commandCalls(GenerateMacCommand)[0]?.args[0].input).toEqual({
      KeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k-1',
      MacAlgorithm: 'HMAC_SHA_256',
      Message: Buffer.from(HMAC_KEY_DERIVATION),
    });
  });

  it('fails with the KMS error when the call is refused, and on a MAC too short to be a key', async () => {
    const load = kmsDerivedKey(new KMSClient({ region: 'us-east-1' }), 'k-1', CALL_BUDGETS.coldStart);
    kms
      .on(GenerateMacCommand)
      .rejectsOnce(new KMSInvalidStateException({ message: 'disabled', $metadata: {} }));
    await expect(load()).rejects.toBeInstanceOf(KMSInvalidStateException);

    kms.on(GenerateMacCommand).resolves({ Mac: new Uint8Array(8) });
    await expect(load()).rejects.toThrow(/no usable MAC/);
  });
});

describe('makeHmac', () => {
  it('loads the key once for many digests and gives the standard HMAC-SHA-256', async () => {
    let loads = 0;
    const hmac = makeHmac(async () => {
      loads++;
      return Buffer.from('key');
    });

    const digests = await Promise.all([
      hmac.digest('The quick brown fox jumps over the lazy dog'),
      hmac.digest('x'),
    ]);

    // RFC 4231-style known answer (Wikipedia's HMAC_SHA256("key", "The quick brown fox...")).
    expect(digests[0]).toBe('f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
    expect(loads).toBe(1);
  });

  it('retries a failed key load on the next use instead of caching the failure', async () => {
    let attempt = 0;
    const hmac = makeHmac(async () => {
      attempt++;
      if (attempt === 1) throw new Error('KMS unavailable');
      return Buffer.from('key');
    });

    await expect(hmac.digest('x')).rejects.toThrow('KMS unavailable');
    await expect(hmac.digest('x')).resolves.toMatch(/^[0-9a-f]{64}$/);
  });
});
