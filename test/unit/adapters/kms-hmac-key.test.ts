import { describe, expect, it } from 'vitest';
import { AwsRequestError } from '../../../shared/adapters/aws/signed-request';
import { makeHmac } from '../../../shared/adapters/crypto/hmac';
import { HMAC_KEY_DERIVATION, kmsDerivedKey } from '../../../shared/adapters/kms/hmac-key';

const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
const MAC = Buffer.alloc(32, 7);

function kmsFetch(responses: Array<{ status: number; body: string; type?: string }>) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const fetchFn = (async (url: URL | string, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const next = responses.shift() ?? { status: 500, body: '' };
    return new Response(next.body, {
      status: next.status,
      headers: next.type ? { 'x-amzn-errortype': next.type } : {},
    });
  }) as typeof fetch;
  return { calls, fetchFn };
}

describe('kmsDerivedKey (KMS GenerateMac over SigV4)', () => {
  it('sends exactly one GenerateMac of the fixed derivation message and returns the MAC', async () => {
    const { calls, fetchFn } = kmsFetch([
      { status: 200, body: JSON.stringify({ Mac: MAC.toString('base64') }) },
    ]);
    const load = kmsDerivedKey('arn:aws:kms:eu-west-1:111122223333:key/k-1', {
      region: 'eu-west-1',
      credentials,
      fetch: fetchFn,
    });

    const key = await load();

    expect(key.equals(MAC)).toBe(true);
    expect(calls[0]?.url).toBe('https://kms.eu-west-1.amazonaws.com/');
    const headers = calls[0]?.init.headers as Record<string, string>;
    expect(headers['x-amz-target']).toBe('TrentService.GenerateMac');
    expect(headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(headers.authorization).toMatch(/Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/kms\/aws4_request/);
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({
      KeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k-1',
      MacAlgorithm: 'HMAC_SHA_256',
      Message: Buffer.from(HMAC_KEY_DERIVATION).toString('base64'),
    });
  });

  it('fails with the KMS error type when the call is refused', async () => {
    const { fetchFn } = kmsFetch([
      { status: 400, body: '{"message":"no"}', type: 'AccessDeniedException:http://x' },
    ]);
    const load = kmsDerivedKey('k-1', { region: 'us-east-1', credentials, fetch: fetchFn });

    await expect(load()).rejects.toBeInstanceOf(AwsRequestError);
    await expect(load()).rejects.toThrow(/kms request failed/);
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
