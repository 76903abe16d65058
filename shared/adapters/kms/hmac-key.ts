import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { type CallBudget, deadline } from '../aws/call-budget';

/** The fixed message whose KMS MAC is the server HMAC key; change the version to rotate every hash. */
export const HMAC_KEY_DERIVATION = 'latchkey/server-hmac-key/v1';

/**
 * Derives the server HMAC key from a KMS HMAC_256 key with one GenerateMac call per container: the key
 * material never leaves KMS and nothing secret is stored anywhere else.
 */
export function kmsDerivedKey(client: KMSClient, keyId: string, budget: CallBudget): () => Promise<Buffer> {
  return async () => {
    const { Mac } = await client.send(
      new GenerateMacCommand({
        KeyId: keyId,
        MacAlgorithm: 'HMAC_SHA_256',
        Message: Buffer.from(HMAC_KEY_DERIVATION, 'utf8'),
      }),
      deadline(budget),
    );
    const mac = Mac ? Buffer.from(Mac) : Buffer.alloc(0);
    if (mac.length < 32) throw new Error('KMS returned no usable MAC for the HMAC key');
    return mac;
  };
}
