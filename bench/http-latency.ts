import { freePort } from '../local/ports';
import { type LocalStack, startLocalStack } from '../local/stack';
import { summarize } from './stats';

export interface LatencyFigures {
  route: string;
  ms: ReturnType<typeof summarize>;
}

async function measure(url: string, headers: Record<string, string>, requests: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < requests; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    samples.push(performance.now() - started);
  }
  return samples;
}

/**
 * Warm latency through the local gateway (real HTTP, real handlers) against DynamoDB Local:
 * `GET /v1/me` (one table read per request) next to `GET /v1/health` (no database), interleaved in
 * rounds so machine noise hits both alike.
 */
export async function benchHttpLatency(requests = 2000): Promise<LatencyFigures[]> {
  const previous = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
  let stack: LocalStack | undefined;
  try {
    stack = await startLocalStack({
      apiPort: await freePort(),
      sesPort: await freePort(),
      dynamodbPort: await freePort(),
      dataDir: '.unused',
      inMemory: true,
    });
    const auth = { authorization: `Bearer ${await stack.issueToken('alice@acme.example')}` };
    const health = `${stack.apiUrl}/v1/health`;
    const me = `${stack.apiUrl}/v1/me`;
    await measure(health, {}, 200);
    await measure(me, auth, 200);
    const healthSamples: number[] = [];
    const meSamples: number[] = [];
    const round = 100;
    for (let done = 0; done < requests; done += round) {
      healthSamples.push(...(await measure(health, {}, round)));
      meSamples.push(...(await measure(me, auth, round)));
    }
    return [
      { route: 'GET /v1/health', ms: summarize(healthSamples) },
      { route: 'GET /v1/me', ms: summarize(meSamples) },
    ];
  } finally {
    await stack?.stop();
    if (previous === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = previous;
  }
}
