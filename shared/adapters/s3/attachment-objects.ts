import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { AttachmentObjects } from '../../domain/secrets/cleanup';
import { type CallBudget, deadline } from '../aws/call-budget';

export interface S3AttachmentObjectsConfig {
  bucket: string;
  budget: CallBudget;
}

/**
 * Deletes attachment objects by prefix: list (ListObjectsV2, 1,000 a page), then DeleteObjects per
 * page. Deleting what is already gone succeeds, so a replay deletes nothing more; a key S3 reports as
 * not deleted fails the call, so the stream record is retried. In a versioned bucket this leaves
 * delete markers; the lifecycle rule expires the noncurrent versions (docs/secrets.md).
 */
export function makeS3AttachmentObjects(
  client: S3Client,
  config: S3AttachmentObjectsConfig,
): AttachmentObjects {
  const { bucket, budget } = config;
  return {
    async removeUnder(prefix) {
      let removed = 0;
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            MaxKeys: 1000,
            ...(token ? { ContinuationToken: token } : {}),
          }),
          deadline(budget),
        );
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
        const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
        if (keys.length === 0) continue;
        const output = await client.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
          }),
          deadline(budget),
        );
        const failed = output.Errors ?? [];
        if (failed.length > 0) {
          const first = failed[0];
          throw new Error(
            `S3 kept ${failed.length} of ${keys.length} objects under ${prefix} (${first?.Code}: ${first?.Message})`,
          );
        }
        removed += keys.length;
      } while (token);
      return removed;
    },
  };
}
