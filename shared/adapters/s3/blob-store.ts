import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { BlobStore } from '../../ports';
import { AwsRequestError, makeSignedFetch } from '../aws/signed-request';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface S3BlobStoreConfig {
  bucket: string;
  region: string;
  credentials?: AwsCredentialIdentityProvider;
  fetch?: typeof fetch;
}

/**
 * S3 GetObject as one signed GET, reading at most `maxBytes` (a Range request): the SDK's S3 client
 * would add ~160 KB to the inbound-email bundle. A missing object is `undefined`.
 */
export function makeS3BlobStore(config: S3BlobStoreConfig): BlobStore {
  const signedFetch = makeSignedFetch({
    service: 's3',
    region: config.region,
    endpoint: `https://${config.bucket}.s3.${config.region}.amazonaws.com`,
    ...(config.credentials ? { credentials: config.credentials } : {}),
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
  return {
    async get(key, maxBytes) {
      const path = `/${key.split('/').map(encodeURIComponent).join('/')}`;
      const response = await signedFetch({
        method: 'GET',
        path,
        uriEscapePath: false,
        headers: { range: `bytes=0-${maxBytes - 1}`, 'x-amz-content-sha256': EMPTY_SHA256 },
      });
      if (response.status === 404) return undefined;
      if (response.status !== 200 && response.status !== 206) {
        throw new AwsRequestError(
          's3',
          response.status,
          response.headers.get('x-amz-error-code') ?? `HTTP ${response.status}`,
        );
      }
      const body = Buffer.from(await response.arrayBuffer());
      // `Content-Range: bytes 0-999/5000`: the object is larger than what was read.
      const total = Number(response.headers.get('content-range')?.split('/')[1] ?? body.length);
      return { body, truncated: Number.isFinite(total) && total > body.length };
    },
  };
}
