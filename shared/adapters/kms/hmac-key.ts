import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { makeSignedJsonClient } from '../aws/signed-request';

/** The fixed message whose KMS MAC is the server HMAC key; change the version to rotate every hash. */
export const HMAC_KEY_DERIVATION = 'latchkey/server-hmac-key/v1';

export interface KmsConfig {
  region: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentityProvider;
  fetch?: typeof fetch;
}

/**
 * Derives the server HMAC key from a KMS HMAC_256 key with one GenerateMac call per container: the key
 * material never leaves KMS and nothing secret is stored anywhere else. (A signed request rather than
 * the SDK's KMS client, which would add ~27 KB to every bundle.)
 */
export function kmsDerivedKey(keyId: string, config: KmsConfig): () => Promise<Buffer> {
  const request = makeSignedJsonClient({
    service: 'kms',
    region: config.region,
    endpoint: config.endpoint ?? `https://kms.${config.region}.amazonaws.com`,
    ...(config.credentials ? { credentials: config.credentials } : {}),
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
  return async () => {
    const { Mac } = await request<{ Mac?: string }>(
      '/',
      {
        KeyId: keyId,
        MacAlgorithm: 'HMAC_SHA_256',
        Message: Buffer.from(HMAC_KEY_DERIVATION, 'utf8').toString('base64'),
      },
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.GenerateMac' },
    );
    const mac = Mac ? Buffer.from(Mac, 'base64') : Buffer.alloc(0);
    if (mac.length < 32) throw new Error('KMS returned no usable MAC for the HMAC key');
    return mac;
  };
}
