import { createHmac } from 'node:crypto';
import type { Hmac } from '../../domain/ports';

/**
 * HMAC-SHA-256 under a server key loaded once, on first use (a KMS call in AWS), and kept for the
 * container's life. A failed load is retried on the next use rather than cached.
 */
export function makeHmac(loadKey: () => Promise<Buffer>): Hmac {
  let key: Promise<Buffer> | undefined;
  return {
    async digest(message: string) {
      key ??= loadKey().catch((error: unknown) => {
        key = undefined;
        throw error;
      });
      return createHmac('sha256', await key)
        .update(message)
        .digest('hex');
    },
  };
}
