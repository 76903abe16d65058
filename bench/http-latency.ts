import type { LocalStack } from '../local/stack';
import { countDynamoRequests } from './local-stack';
import { summarize } from './stats';

export interface LatencyFigures {
  route: string;
  ms: ReturnType<typeof summarize>;
  dynamoRequestsPerCall?: number;
}

async function timed(url: string, init: RequestInit, expected: number): Promise<[number, unknown]> {
  const started = performance.now();
  const response = await fetch(url, init);
  const text = await response.text();
  const elapsed = performance.now() - started;
  if (response.status !== expected)
    throw new Error(`${url} answered ${response.status}: ${text.slice(0, 200)}`);
  return [elapsed, text ? JSON.parse(text) : undefined];
}

async function repeat(url: string, headers: Record<string, string>, requests: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < requests; i++) samples.push((await timed(url, { headers }, 200))[0]);
  return samples;
}

/**
 * Warm latency through the local gateway (real HTTP, real handlers) against DynamoDB Local:
 * `GET /v1/me` (one table read per request) next to `GET /v1/health` (no database), interleaved in
 * rounds so machine noise hits both alike.
 */
export async function benchHttpLatency(stack: LocalStack, requests = 2000): Promise<LatencyFigures[]> {
  const auth = { authorization: `Bearer ${await stack.issueToken('alice@acme.example')}` };
  const health = `${stack.apiUrl}/v1/health`;
  const me = `${stack.apiUrl}/v1/me`;
  await repeat(health, {}, 200);
  await repeat(me, auth, 200);
  const counter = await countDynamoRequests();
  const healthSamples: number[] = [];
  const meSamples: number[] = [];
  let meRequests = 0;
  for (let done = 0; done < requests; done += 100) {
    healthSamples.push(...(await repeat(health, {}, 100)));
    const before = counter.requests;
    meSamples.push(...(await repeat(me, auth, 100)));
    meRequests += counter.requests - before;
  }
  return [
    { route: 'GET /v1/health', ms: summarize(healthSamples), dynamoRequestsPerCall: 0 },
    { route: 'GET /v1/me', ms: summarize(meSamples), dynamoRequestsPerCall: meRequests / meSamples.length },
  ];
}

/**
 * Device onboarding by code, end to end through the gateway: register (timed), read the code from the
 * SES emulator (not timed), verify (timed). Each iteration is a new, already provisioned user.
 */
export async function benchDeviceFlow(stack: LocalStack, iterations = 200): Promise<LatencyFigures[]> {
  const counter = await countDynamoRequests();
  const register: number[] = [];
  const verify: number[] = [];
  let registerRequests = 0;
  let verifyRequests = 0;
  for (let i = 0; i < iterations; i++) {
    const email = `bench-${i}-${Date.now()}@acme.example`;
    const headers = {
      authorization: `Bearer ${await stack.issueToken(email)}`,
      'content-type': 'application/json',
    };
    await timed(`${stack.apiUrl}/v1/me`, { headers }, 200);
    let before = counter.requests;
    const [registerMs, registered] = (await timed(
      `${stack.apiUrl}/v1/devices`,
      {
        method: 'POST',
        headers,
        body: JSON.stringify({ clientType: 'web', os: 'Linux', browser: 'Firefox' }),
      },
      201,
    )) as [number, { credential: string; device: { id: string } }];
    registerRequests += counter.requests - before;
    const mail = (await stack.sentEmails()).filter((m) => m.destination.to.includes(email)).at(-1);
    const code = /code is (\d{6})/.exec(mail?.body.text ?? '')?.[1] ?? '';
    before = counter.requests;
    const [verifyMs] = await timed(
      `${stack.apiUrl}/v1/devices/${registered.device.id}/verify`,
      {
        method: 'POST',
        headers: { ...headers, 'x-latchkey-device': registered.credential },
        body: JSON.stringify({ code }),
      },
      200,
    );
    verifyRequests += counter.requests - before;
    if (i >= 10) {
      register.push(registerMs);
      verify.push(verifyMs);
    }
  }
  return [
    {
      route: 'POST /v1/devices (register)',
      ms: summarize(register),
      dynamoRequestsPerCall: registerRequests / iterations,
    },
    {
      route: 'POST /v1/devices/{id}/verify',
      ms: summarize(verify),
      dynamoRequestsPerCall: verifyRequests / iterations,
    },
  ];
}
