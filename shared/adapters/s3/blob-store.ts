import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import type { BlobStore } from '../../domain/ports';
import { type CallBudget, deadline } from '../aws/call-budget';

export interface S3BlobStoreConfig {
  bucket: string;
  /** The whole call's deadline; the client holds the attempt count and per-attempt timeouts. */
  budget: CallBudget;
}

/** S3 GetObject reading at most `maxBytes` (a Range request). A missing object is `undefined`. */
export function makeS3BlobStore(client: S3Client, config: S3BlobStoreConfig): BlobStore {
  const { budget } = config;
  return {
    async get(key, maxBytes) {
      try {
        const output = await client.send(
          new GetObjectCommand({ Bucket: config.bucket, Key: key, Range: `bytes=0-${maxBytes - 1}` }),
          deadline(budget),
        );
        const body = Buffer.from((await output.Body?.transformToByteArray()) ?? new Uint8Array());
        // `Content-Range: bytes 0-999/5000`: the object is larger than what was read.
        const total = Number(output.ContentRange?.split('/')[1] ?? body.length);
        return { body, truncated: Number.isFinite(total) && total > body.length };
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },
  };
}
