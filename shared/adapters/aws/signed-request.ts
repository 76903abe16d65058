import { createHash, createHmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** node:crypto behind the checksum interface SigV4 expects (HMAC when given a secret). */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret
      ? createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer))
      : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

export interface SignedClientConfig {
  service: string;
  region: string;
  endpoint: string;
  credentials?: AwsCredentialIdentityProvider;
  fetch?: typeof fetch;
}

export class AwsRequestError extends Error {
  constructor(
    readonly service: string,
    readonly status: number,
    readonly type: string,
  ) {
    super(`${service} request failed with HTTP ${status} (${type})`);
    this.name = 'AwsRequestError';
  }
}

/**
 * One JSON call to an AWS API, signed with the SDK's own SigV4 signer. For the two calls whose SDK
 * clients would not fit the 450 KB bundle budget (SES SendEmail, KMS GenerateMac: ~110 KB together).
 * Error bodies are never echoed: only the status and the AWS error type.
 */
export function makeSignedJsonClient(config: SignedClientConfig) {
  const endpoint = new URL(config.endpoint);
  const signer = new SignatureV4({
    service: config.service,
    region: config.region,
    credentials: config.credentials ?? defaultProvider(),
    sha256: Sha256,
  });
  const send = config.fetch ?? fetch;
  return async function request<T>(
    path: string,
    payload: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const body = JSON.stringify(payload);
    const fullPath = `${endpoint.pathname.replace(/\/$/, '')}${path}`;
    const signed = await signer.sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path: fullPath,
      query: {},
      headers: { host: endpoint.host, 'content-type': 'application/json', ...headers },
      body,
    });
    const response = await send(new URL(fullPath, endpoint), {
      method: 'POST',
      headers: signed.headers as Record<string, string>,
      body,
    });
    const text = await response.text();
    if (!response.ok) {
      const type = response.headers.get('x-amzn-errortype')?.split(':')[0] || `HTTP ${response.status}`;
      throw new AwsRequestError(config.service, response.status, type);
    }
    return (text ? JSON.parse(text) : {}) as T;
  };
}
