import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { HttpRequest } from '@smithy/core/protocols';
import S3rver from 's3rver';

/**
 * The local S3: s3rver (a real S3-compatible server on the file system) behind a checking front.
 *
 * s3rver 3.7.1 stores and serves objects, honours `response-content-disposition` and refuses an
 * expired presigned GET, but it verifies no Signature V4 and ignores the POST policy entirely (its
 * `policy` field is "unimplemented"). The front closes those gaps for what Latchkey hands out, the
 * way S3 itself answers: a browser POST must carry a policy signed with the local key, unexpired,
 * whose every condition holds (key, Content-Type, `content-length-range`, no unlisted field); a
 * presigned GET/HEAD must carry a valid signature (recomputed with the SDK's own presigner) and be
 * unexpired; an anonymous request is refused. Requests signed in the Authorization header (the
 * server's own SDK calls) are checked for the access key only. See docs/secrets.md.
 */
export interface S3Local {
  endpoint: string;
  bucket: string;
  stop(): Promise<void>;
}

export interface S3LocalOptions {
  port: number;
  bucket: string;
  /** Where objects live; absent: a temporary directory removed on stop. */
  directory?: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  /** Largest POST body the front buffers (the bucket's attachments are far smaller in tests). */
  maxPostBytes?: number;
}

type Fields = Map<string, string>;
const S3RVER_KEY = 'S3RVER/';

function s3Error(res: ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  );
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const policyFailed = (why: string) => new Refusal(403, 'AccessDenied', `Invalid according to Policy: ${why}`);

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `20261129T180000Z` -> Date. */
function amzDate(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new Refusal(400, 'MaxPostPreDataLengthExceeded', 'Your POST request is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Checks a browser-based upload the way S3 does (policy signature, expiration, every condition). */
async function checkPost(
  body: Buffer,
  contentType: string,
  bucket: string,
  options: S3LocalOptions,
  now: Date,
): Promise<void> {
  let form: FormData;
  try {
    form = await new Request('http://s3.local/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    }).formData();
  } catch {
    throw new Refusal(
      400,
      'MalformedPOSTRequest',
      'The body of your POST request is not well-formed multipart/form-data.',
    );
  }
  const fields: Fields = new Map();
  let file: Blob | undefined;
  for (const [name, value] of form.entries()) {
    if (name === 'file') file = typeof value === 'string' ? new Blob([value]) : value;
    else if (typeof value === 'string') fields.set(name.toLowerCase(), value);
  }
  if (!file) throw new Refusal(400, 'InvalidArgument', 'POST requires exactly one file upload per request.');
  const policy = fields.get('policy');
  const signature = fields.get('x-amz-signature');
  const credential = fields.get('x-amz-credential') ?? '';
  if (!policy || !signature || fields.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256')
    throw new Refusal(
      403,
      'AccessDenied',
      'Bucket POST must be signed (policy, X-Amz-Signature, X-Amz-Algorithm).',
    );
  const [accessKeyId, day, region, service, terminal] = credential.split('/');
  if (
    accessKeyId !== options.credentials.accessKeyId ||
    !day ||
    !region ||
    service !== 's3' ||
    terminal !== 'aws4_request'
  )
    throw new Refusal(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  // Signature V4 for POST: HMAC of the base64 policy under the derived signing key.
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${options.credentials.secretAccessKey}`, day), region), 's3'),
    'aws4_request',
  );
  if (!sameHex(hmac(signingKey, policy).toString('hex'), signature))
    throw new Refusal(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
  let document: { expiration?: string; conditions?: unknown[] };
  try {
    document = JSON.parse(Buffer.from(policy, 'base64').toString('utf8'));
  } catch {
    throw policyFailed('Policy could not be parsed.');
  }
  if (!document.expiration || !(Date.parse(document.expiration) > now.getTime()))
    throw policyFailed('Policy expired.');
  const fieldValue = (name: string) => (name === 'bucket' ? bucket : fields.get(name));
  const covered = new Set<string>(['bucket']);
  for (const condition of document.conditions ?? []) {
    if (Array.isArray(condition)) {
      const [op, target, value] = condition as [string, unknown, unknown];
      if (op === 'content-length-range') {
        const [min, max] = [Number(target), Number(value)];
        if (file.size > max)
          throw new Refusal(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
        if (file.size < min)
          throw new Refusal(
            400,
            'EntityTooSmall',
            'Your proposed upload is smaller than the minimum allowed size',
          );
        continue;
      }
      const name = String(target).replace(/^\$/, '').toLowerCase();
      covered.add(name);
      const actual = fieldValue(name) ?? '';
      if (op === 'eq' && actual !== value)
        throw policyFailed(`Policy Condition failed: ["eq", "$${name}", "${String(value)}"]`);
      if (op === 'starts-with' && !actual.startsWith(String(value)))
        throw policyFailed(`Policy Condition failed: ["starts-with", "$${name}", "${String(value)}"]`);
      if (op !== 'eq' && op !== 'starts-with') throw policyFailed(`Unknown condition ${op}`);
    } else if (condition && typeof condition === 'object') {
      for (const [name, value] of Object.entries(condition)) {
        covered.add(name.toLowerCase());
        if (fieldValue(name.toLowerCase()) !== value)
          throw policyFailed(`Policy Condition failed: ["eq", "$${name}", "${String(value)}"]`);
      }
    }
  }
  const extra = [...fields.keys()].filter(
    (name) =>
      !covered.has(name) && name !== 'policy' && name !== 'x-amz-signature' && !name.startsWith('x-ignore-'),
  );
  if (extra.length > 0) throw policyFailed(`Extra input fields: ${extra.join(', ')}`);
}

/** Checks a query-signed (presigned) request by signing it again with the SDK's own presigner. */
async function checkPresigned(
  req: IncomingMessage,
  presigner: S3RequestPresigner,
  options: S3LocalOptions,
  now: Date,
) {
  const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
  const query = Object.fromEntries(url.searchParams);
  if (query['X-Amz-Algorithm'] !== 'AWS4-HMAC-SHA256')
    throw new Refusal(403, 'AccessDenied', 'Only Signature V4 is accepted.');
  const signedAt = amzDate(query['X-Amz-Date']);
  const expiresIn = Number(query['X-Amz-Expires']);
  if (!signedAt || !Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 604_800)
    throw new Refusal(400, 'AuthorizationQueryParametersError', 'X-Amz-Date and X-Amz-Expires are required.');
  if (now.getTime() > signedAt.getTime() + expiresIn * 1000)
    throw new Refusal(403, 'AccessDenied', 'Request has expired');
  if ((query['X-Amz-Credential'] ?? '').split('/')[0] !== options.credentials.accessKeyId)
    throw new Refusal(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  const unsigned = Object.fromEntries(Object.entries(query).filter(([name]) => !name.startsWith('X-Amz-')));
  const again = await presigner.presign(
    new HttpRequest({
      method: req.method ?? 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: unsigned,
      headers: { host: String(req.headers.host) },
    }),
    { signingDate: signedAt, expiresIn, signingRegion: options.region },
  );
  if (!sameHex(String(again.query?.['X-Amz-Signature'] ?? ''), query['X-Amz-Signature'] ?? ''))
    throw new Refusal(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
}

export async function startS3Local(options: S3LocalOptions): Promise<S3Local> {
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'latchkey-s3-'));
  const backend = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: options.bucket, configs: [] }],
  });
  const backendAddress = (await backend.run()) as AddressInfo;
  const client = new S3Client({ region: options.region, credentials: options.credentials });
  const presigner = new S3RequestPresigner({ ...client.config, service: 's3' });
  const maxPostBytes = options.maxPostBytes ?? 110 * 1024 * 1024;

  // The front has checked the request; s3rver's own account registry knows only its built-in key,
  // so the credential is renamed to it (s3rver does not check V4 signatures anyway).
  const ownKey = `${options.credentials.accessKeyId}/`;
  const forward = (req: IncomingMessage, res: ServerResponse, body?: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://s3.local');
    const credential = url.searchParams.get('X-Amz-Credential');
    if (credential) url.searchParams.set('X-Amz-Credential', credential.replace(ownKey, S3RVER_KEY));
    const headers = { ...req.headers };
    if (headers.authorization)
      headers.authorization = headers.authorization.replace(
        `Credential=${ownKey}`,
        `Credential=${S3RVER_KEY}`,
      );
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: backendAddress.port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: body ? { ...headers, 'content-length': String(body.length) } : headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => s3Error(res, 502, 'InternalError', error.message));
    if (body) upstream.end(body);
    else req.pipe(upstream);
  };

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://s3.local');
      const [, bucket, ...rest] = url.pathname.split('/');
      const isFormPost =
        req.method === 'POST' &&
        rest.join('') === '' &&
        (req.headers['content-type'] ?? '').startsWith('multipart/form-data');
      if (isFormPost) {
        const body = await readBody(req, maxPostBytes);
        await checkPost(body, String(req.headers['content-type']), bucket ?? '', options, new Date());
        return forward(req, res, body);
      }
      if (url.searchParams.has('X-Amz-Signature')) {
        await checkPresigned(req, presigner, options, new Date());
        return forward(req, res);
      }
      const authorization = req.headers.authorization ?? '';
      const keyId = /Credential=([^/]+)\//.exec(authorization)?.[1];
      if (keyId !== options.credentials.accessKeyId) throw new Refusal(403, 'AccessDenied', 'Access Denied');
      return forward(req, res);
    } catch (error) {
      if (error instanceof Refusal) return s3Error(res, error.status, error.code, error.message);
      return s3Error(res, 500, 'InternalError', 'The local S3 front failed.');
    }
  });
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(options.port, '127.0.0.1', () => ready());
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bucket: options.bucket,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await backend.close().catch(() => undefined);
      client.destroy();
      if (!options.directory) rmSync(directory, { recursive: true, force: true });
    },
  };
}
