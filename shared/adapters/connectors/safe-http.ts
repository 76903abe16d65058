import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { ConnectorError } from '../../domain/rotation/errors';
import { checkWebhookUrl, isPublicAddress, rangeOf } from './address-policy';

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface SafePostOptions {
  /** The whole call (connect, TLS, send, answer) must end within this. */
  timeoutMs: number;
  /** The answer's body is cut off (and the call failed) beyond this many bytes. */
  maxResponseBytes: number;
  /** The local runtime's explicit allowance for one loopback origin (plain HTTP allowed); unset in AWS. */
  localOrigin?: string;
  /** DNS resolution (every address of the name); tests pass their own. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
  /** Extra TLS trust (tests with a self-signed certificate); production uses the system's CAs. */
  ca?: string | Buffer;
  /** Which resolved addresses may be connected to; public unicast only unless a test says otherwise. */
  addressAllowed?: (address: string) => boolean;
}

export interface SafeResponse {
  status: number;
  body: string;
}

const resolveAll = async (hostname: string): Promise<ResolvedAddress[]> =>
  dnsLookup(hostname, { all: true, verbatim: true });

/**
 * The `lookup` the socket uses: resolves the name once, refuses the call if any address is outside
 * public unicast, and hands the socket the address it checked, so there is no second resolution
 * between the check and the connect (no DNS rebinding window).
 */
export function checkedLookup(
  resolve: (hostname: string) => Promise<ResolvedAddress[]>,
  allowed: (address: string) => boolean = isPublicAddress,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const refused = addresses.find((a) => !allowed(a.address));
        if (addresses.length === 0 || refused) {
          const why = refused ? `an address in a refused range (${rangeOf(refused.address)})` : 'no address';
          callback(Object.assign(new Error(why), { code: 'EWEBHOOKBLOCKED' }), '', 0);
          return;
        }
        const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = addresses.filter((a) => wanted === undefined || a.family === wanted);
        const first = usable[0] ?? (addresses[0] as ResolvedAddress);
        if (options.all) (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [first]);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/** What a safe request is for, in its error messages (`the webhook URL is refused: ...`). */
export interface SafeRequestOptions extends SafePostOptions {
  /** Names the endpoint in failures: `webhook` (default), `JWKS`... */
  label?: string;
  /** Ends the call early too (jose passes one with its own timeout). */
  signal?: AbortSignal;
}

/**
 * POSTs a JSON body to a customer's endpoint under the SSRF rules: HTTPS only (except the local
 * allowance), no refused address either as a literal or after DNS resolution, the checked address is
 * the one connected to, no redirect followed (a 3xx is an answer, reported as refused), one time box
 * for the whole exchange, and the answer read with a size cap. Failures are ConnectorErrors whose
 * message is safe for the rotation record (no URL query, no body).
 */
export async function safePost(
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  options: SafePostOptions,
): Promise<SafeResponse> {
  return safeRequest('POST', rawUrl, { ...headers, 'content-type': 'application/json' }, body, options);
}

/** GETs a customer-configured URL (an IdP's JWKS) under the same SSRF rules as {@link safePost}. */
export async function safeGet(
  rawUrl: string,
  headers: Record<string, string>,
  options: SafeRequestOptions,
): Promise<SafeResponse> {
  return safeRequest('GET', rawUrl, headers, undefined, options);
}

async function safeRequest(
  method: 'GET' | 'POST',
  rawUrl: string,
  headers: Record<string, string>,
  body: string | undefined,
  options: SafeRequestOptions,
): Promise<SafeResponse> {
  const label = options.label ?? 'webhook';
  const checked = checkWebhookUrl(rawUrl, options.localOrigin);
  if (!checked.ok) throw new ConnectorError(`the ${label} URL is refused: ${checked.reason}`);
  if (options.signal?.aborted) throw new ConnectorError(`the ${label} call was cancelled`, true);
  const url = checked.url;
  const local = options.localOrigin !== undefined && url.origin === options.localOrigin;
  const transport = url.protocol === 'https:' ? https : http;
  const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
  return new Promise<SafeResponse>((resolve, reject) => {
    let settled = false;
    const finish = (error: ConnectorError | undefined, response?: SafeResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) {
        request.destroy();
        reject(error);
      } else resolve(response as SafeResponse);
    };
    const request = transport.request(
      url,
      {
        method,
        headers: payload ? { ...headers, 'content-length': payload.length } : headers,
        // The local allowance's loopback origin skips the address check; everything else resolves through it.
        ...(local ? {} : { lookup: checkedLookup(options.resolve ?? resolveAll, options.addressAllowed) }),
        ...(options.ca ? { ca: options.ca } : {}),
        agent: false,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400) {
          finish(
            new ConnectorError(`the ${label} answered a redirect (HTTP ${status}), which is not followed`),
          );
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxResponseBytes) {
            finish(
              new ConnectorError(`the ${label}’s answer is larger than ${options.maxResponseBytes} bytes`),
            );
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => finish(undefined, { status, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', () => finish(new ConnectorError(`the ${label} connection failed`)));
      },
    );
    const timer = setTimeout(
      () => finish(new ConnectorError(`the ${label} did not answer within ${options.timeoutMs} ms`, true)),
      options.timeoutMs,
    );
    const onAbort = () => finish(new ConnectorError(`the ${label} call was cancelled`, true));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EWEBHOOKBLOCKED') {
        finish(new ConnectorError(`the ${label} host is refused: ${error.message}`));
      } else if (error.code === 'ENOTFOUND') finish(new ConnectorError(`the ${label} host does not resolve`));
      else if (error.code?.startsWith('ERR_TLS') || error.code?.includes('CERT')) {
        finish(new ConnectorError(`the ${label}’s TLS certificate is not trusted`));
      } else finish(new ConnectorError(`the ${label} is unreachable`));
    });
    request.end(payload);
  });
}
