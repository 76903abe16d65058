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

export interface SignedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** S3 signs the path as it is; every other service escapes it again. */
  uriEscapePath?: boolean;
}

/** A fetch whose requests are signed with the SDK's own SigV4 signer (no SDK client in the bundle). */
export function makeSignedFetch(config: SignedClientConfig) {
  const endpoint = new URL(config.endpoint);
  const signers = new Map<boolean, SignatureV4>();
  const signerFor = (uriEscapePath: boolean) => {
    let signer = signers.get(uriEscapePath);
    if (!signer) {
      signer = new SignatureV4({
        service: config.service,
        region: config.region,
        credentials: config.credentials ?? defaultProvider(),
        sha256: Sha256,
        uriEscapePath,
      });
      signers.set(uriEscapePath, signer);
    }
    return signer;
  };
  const send = config.fetch ?? fetch;
  return async (request: SignedRequest): Promise<Response> => {
    const fullPath = `${endpoint.pathname.replace(/\/$/, '')}${request.path}`;
    const signed = await signerFor(request.uriEscapePath ?? true).sign({
      method: request.method,
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path: fullPath,
      query: {},
      headers: { host: endpoint.host, ...request.headers },
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
    return send(new URL(fullPath, endpoint), {
      method: request.method,
      headers: signed.headers as Record<string, string>,
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
  };
}

/**
 * One JSON call to an AWS API, signed with the SDK's own SigV4 signer. For the calls whose SDK
 * clients would not fit the 450 KB bundle budget (SES SendEmail, KMS, SQS).
 * Error bodies are never echoed: only the status and the AWS error type.
 */
export function makeSignedJsonClient(config: SignedClientConfig) {
  const signedFetch = makeSignedFetch(config);
  return async function request<T>(
    path: string,
    payload: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await signedFetch({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(payload),
    });
    const text = await response.text();
    if (!response.ok) {
      const type = response.headers.get('x-amzn-errortype')?.split(':')[0] || `HTTP ${response.status}`;
      throw new AwsRequestError(config.service, response.status, type);
    }
    return (text ? JSON.parse(text) : {}) as T;
  };
}
