import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWebhookUrl, isPublicAddress } from '../../../shared/adapters/connectors/address-policy';
import { checkedLookup, safePost } from '../../../shared/adapters/connectors/safe-http';
import { ConnectorError } from '../../../shared/domain/rotation/errors';
import { localServers, throwAwayCertificate } from '../../support/tls';

const limits = { timeoutMs: 1_000, maxResponseBytes: 64 * 1024 };

describe('webhook address policy', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local (instance metadata)'],
    ['100.64.0.1', 'CGNAT'],
    ['224.0.0.251', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'IPv6 loopback'],
    ['fe80::1', 'IPv6 link-local'],
    ['fd00:ec2::254', 'unique-local (EC2 IPv6 metadata)'],
    ['fc00::1', 'unique-local'],
    ['ff02::1', 'IPv6 multicast'],
    ['::', 'IPv6 unspecified'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['2002:a00:1::', '6to4 (embeds 10.0.0.1)'],
    ['64:ff9b::a00:1', 'NAT64 (embeds 10.0.0.1)'],
  ])('refuses %s (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('allows public %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it('refuses anything that is not an address', () => {
    expect(isPublicAddress('example.com')).toBe(false);
  });

  it.each([
    ['http://hooks.example.com/x', 'not HTTPS'],
    ['ftp://hooks.example.com/x', 'not HTTPS'],
    ['https://user:pw@hooks.example.com/x', 'credentials in the URL'],
    ['https://hooks.example.com/x#frag', 'a fragment in the URL'],
    ['https://10.0.0.1/x', 'an address in a refused range (private)'],
    ['https://127.1/x', 'an address in a refused range (loopback)'],
    ['https://0x7f000001/x', 'an address in a refused range (loopback)'],
    ['https://[::1]/x', 'an address in a refused range (loopback)'],
    ['https://[fd00:ec2::254]/latest', 'an address in a refused range (uniqueLocal)'],
    ['https://169.254.169.254/latest/meta-data', 'an address in a refused range (linkLocal)'],
    ['https://localhost/x', 'not a public host name'],
    ['https://metadata.google.internal/x', 'not a public host name'],
    ['https://intranet/x', 'not a public host name'],
    ['not a url', 'not a URL'],
  ])('refuses the URL %s: %s', (url, reason) => {
    expect(checkWebhookUrl(url)).toEqual({ ok: false, reason });
  });

  it('allows a public HTTPS URL', () => {
    expect(checkWebhookUrl('https://hooks.example.com/latchkey?x=1').ok).toBe(true);
  });

  it('allows plain HTTP on loopback only for the exact local origin it was given', () => {
    const origin = 'http://127.0.0.1:8787';
    expect(checkWebhookUrl('http://127.0.0.1:8787/_local/apps/demo/webhook', origin).ok).toBe(true);
    expect(checkWebhookUrl('http://127.0.0.1:8788/x', origin)).toEqual({ ok: false, reason: 'not HTTPS' });
    expect(checkWebhookUrl('http://localhost:8787/x', origin)).toEqual({ ok: false, reason: 'not HTTPS' });
    expect(checkWebhookUrl('http://127.0.0.1:8787/x')).toEqual({ ok: false, reason: 'not HTTPS' });
  });
});

describe('checkedLookup', () => {
  const run = (lookup: ReturnType<typeof checkedLookup>, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; result: unknown }>((resolve) => {
      lookup('hooks.example.com', { all }, ((
        error: NodeJS.ErrnoException | null,
        address: unknown,
        family?: number,
      ) => resolve({ error, result: all ? address : { address, family } })) as never);
    });

  it('resolves once and hands the socket exactly the address it checked', async () => {
    let calls = 0;
    const lookup = checkedLookup(async () => {
      calls++;
      return [{ address: '93.184.216.34', family: 4 }];
    });
    expect(await run(lookup, false)).toEqual({
      error: null,
      result: { address: '93.184.216.34', family: 4 },
    });
    expect(await run(lookup, true)).toEqual({
      error: null,
      result: [{ address: '93.184.216.34', family: 4 }],
    });
    expect(calls).toBe(2);
  });

  it('refuses a name when any of its addresses is private (no picking the public one of a mixed answer)', async () => {
    const lookup = checkedLookup(async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ]);
    const { error } = await run(lookup, false);
    expect(error?.code).toBe('EWEBHOOKBLOCKED');
    expect(error?.message).toBe('an address in a refused range (private)');
  });
});

describe('safePost against real local servers', () => {
  const { listen, plain, closeAll } = localServers();
  let tls: { key: Buffer; cert: Buffer };

  beforeAll(() => {
    // A throw-away certificate for a name that exists nowhere but in the tests' own resolver.
    tls = throwAwayCertificate('hooks.customer.test');
  });
  afterAll(closeAll);

  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectorError);
    return error as ConnectorError;
  };

  it('connects over HTTPS to the address its own lookup checked, with the certificate checked for the name', async () => {
    const seen: string[] = [];
    const port = await listen(
      https.createServer(tls, (req, res) => {
        seen.push(`${req.method} ${req.url} ${req.headers.host}`);
        res.end('{"status":"succeeded"}');
      }),
    );
    const resolved: string[] = [];
    const response = await safePost(`https://hooks.customer.test:${port}/hook`, { 'x-a': '1' }, '{}', {
      ...limits,
      ca: tls.cert,
      resolve: async (host) => {
        resolved.push(host);
        return [{ address: '127.0.0.1', family: 4 }];
      },
      // Only this test lets loopback through the policy: it stands in for a public address.
      addressAllowed: (address) => address === '127.0.0.1',
    });
    expect(response).toEqual({ status: 200, body: '{"status":"succeeded"}' });
    expect(resolved).toEqual(['hooks.customer.test']);
    expect(seen).toEqual([`POST /hook hooks.customer.test:${port}`]);
  });

  it('refuses a certificate the name does not match', async () => {
    const port = await listen(https.createServer(tls, (_req, res) => res.end('{}')));
    const error = await failure(
      safePost(`https://other.customer.test:${port}/hook`, {}, '{}', {
        ...limits,
        ca: tls.cert,
        resolve: async () => [{ address: '127.0.0.1', family: 4 }],
        addressAllowed: () => true,
      }),
    );
    expect(error.message).toBe('the webhook’s TLS certificate is not trusted');
  });

  it('refuses a DNS name that resolves to a private address, before any byte is sent', async () => {
    let hits = 0;
    const port = await listen(
      https.createServer(tls, (_req, res) => {
        hits++;
        res.end('{}');
      }),
    );
    for (const address of [
      '127.0.0.1',
      '10.0.0.7',
      '169.254.169.254',
      '100.64.1.1',
      '::1',
      'fd00:ec2::254',
    ]) {
      const error = await failure(
        safePost(`https://hooks.customer.test:${port}/hook`, {}, '{}', {
          ...limits,
          ca: tls.cert,
          resolve: async () => [{ address, family: address.includes(':') ? 6 : 4 }],
        }),
      );
      expect(error.message).toMatch(/^the webhook host is refused: an address in a refused range/);
    }
    expect(hits).toBe(0);
  });

  it('refuses private literals and plain HTTP before connecting', async () => {
    expect((await failure(safePost('https://10.0.0.1/x', {}, '{}', limits))).message).toBe(
      'the webhook URL is refused: an address in a refused range (private)',
    );
    expect((await failure(safePost('http://hooks.example.com/x', {}, '{}', limits))).message).toBe(
      'the webhook URL is refused: not HTTPS',
    );
  });

  it('does not follow a redirect (to the metadata address here)', async () => {
    let followed = false;
    const port = await plain((req, res) => {
      if (req.url === '/moved') followed = true;
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    });
    const origin = `http://127.0.0.1:${port}`;
    const error = await failure(safePost(`${origin}/hook`, {}, '{}', { ...limits, localOrigin: origin }));
    expect(error.message).toBe('the webhook answered a redirect (HTTP 302), which is not followed');
    expect(followed).toBe(false);
  });

  it('stops reading an answer larger than the cap', async () => {
    let wrote = 0;
    const port = await plain((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16 * 1024, 'a');
      // An endless answer: only the cap can end this call.
      const pump = (): void => {
        while (res.write(chunk)) {
          wrote += chunk.length;
          if (wrote > 8 * 1024 * 1024) {
            res.end();
            return;
          }
        }
        res.once('drain', pump);
      };
      pump();
    });
    const origin = `http://127.0.0.1:${port}`;
    const error = await failure(
      safePost(`${origin}/hook`, {}, '{}', { ...limits, maxResponseBytes: 64 * 1024, localOrigin: origin }),
    );
    expect(error.message).toBe('the webhook’s answer is larger than 65536 bytes');
    expect(wrote).toBeLessThan(8 * 1024 * 1024);
  });

  it('gives up when the endpoint does not answer within the time box', async () => {
    const port = await plain(() => {
      // Never answers.
    });
    const origin = `http://127.0.0.1:${port}`;
    const started = Date.now();
    const error = await failure(
      safePost(`${origin}/hook`, {}, '{}', { ...limits, timeoutMs: 300, localOrigin: origin }),
    );
    expect(error.message).toBe('the webhook did not answer within 300 ms');
    expect(error.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('also times out an answer that trickles in', async () => {
    const port = await plain((_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    });
    const origin = `http://127.0.0.1:${port}`;
    const error = await failure(
      safePost(`${origin}/hook`, {}, '{}', { ...limits, timeoutMs: 300, localOrigin: origin }),
    );
    expect(error.timedOut).toBe(true);
  });

  it('reads a normal answer on the local allowance and sends the body and headers it was given', async () => {
    let received = '';
    let signatureHeader: string | undefined;
    const port = await plain(async (req, res) => {
      for await (const chunk of req) received += chunk;
      signatureHeader = req.headers['webhook-signature'] as string;
      res.end('{"status":"succeeded"}');
    });
    const origin = `http://127.0.0.1:${port}`;
    const response = await safePost(`${origin}/hook`, { 'webhook-signature': 'v1,x' }, '{"a":1}', {
      ...limits,
      localOrigin: origin,
    });
    expect(response).toEqual({ status: 200, body: '{"status":"succeeded"}' });
    expect(received).toBe('{"a":1}');
    expect(signatureHeader).toBe('v1,x');
  });
});
