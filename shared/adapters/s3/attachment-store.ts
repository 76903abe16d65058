import { GetObjectCommand, HeadObjectCommand, NotFound, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AttachmentStore } from '../../domain/secrets/attachments';
import { type CallBudget, deadline } from '../aws/call-budget';

export interface S3AttachmentStoreConfig {
  bucket: string;
  budget: CallBudget;
}

/** RFC 6266 / 5987: an ASCII fallback name plus the exact UTF-8 name. */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/**
 * Attachments in S3 through presigned requests only: the bytes never pass through Lambda. The POST
 * policy pins the key, the exact size (`content-length-range`) and the Content-Type; the GET
 * overrides the response headers so a browser downloads rather than renders.
 */
export function makeS3AttachmentStore(client: S3Client, config: S3AttachmentStoreConfig): AttachmentStore {
  const { bucket, budget } = config;
  return {
    async presignUpload({ key, contentType, size, expiresInSeconds }) {
      const { url, fields } = await createPresignedPost(client, {
        Bucket: bucket,
        Key: key,
        Fields: { 'Content-Type': contentType },
        Conditions: [
          ['content-length-range', size, size],
          ['eq', '$Content-Type', contentType],
        ],
        Expires: expiresInSeconds,
      });
      return { url, fields };
    },
    presignDownload({ key, fileName, contentType, expiresInSeconds }) {
      return getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ResponseContentDisposition: attachmentDisposition(fileName),
          ResponseContentType: contentType,
        }),
        { expiresIn: expiresInSeconds },
      );
    },
    async sizeOf(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), deadline(budget));
        return head.ContentLength;
      } catch (error) {
        if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return undefined;
        throw error;
      }
    },
  };
}
