import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { CALL_BUDGETS, clientOptions, deadline } from '../../../shared/adapters/aws/call-budget';

describe('call budgets', () => {
  it('make a request path give up sooner, and try fewer times, than a background worker', () => {
    const { request, worker } = CALL_BUDGETS;
    expect(request.maxAttempts).toBeLessThan(worker.maxAttempts);
    expect(request.attemptTimeoutMs).toBeLessThan(worker.attemptTimeoutMs);
    expect(request.totalTimeoutMs).toBeLessThan(worker.totalTimeoutMs);
    // API Gateway answers 503 at 30 s: a request path must be done well before.
    expect(request.totalTimeoutMs).toBeLessThanOrEqual(5_000);
  });

  it("configure an SDK client with standard retries and the budget's attempts", async () => {
    const client = new SQSClient({ ...clientOptions(CALL_BUDGETS.worker), region: 'eu-west-1' });

    expect(await client.config.retryStrategy()).toMatchObject({ mode: 'standard' });
    expect(await client.config.maxAttempts()).toBe(CALL_BUDGETS.worker.maxAttempts);
  });

  it('abort the whole call past the total budget', async () => {
    const { abortSignal } = deadline({ ...CALL_BUDGETS.request, totalTimeoutMs: 5 });
    expect(abortSignal.aborted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(abortSignal.aborted).toBe(true);
  });
});
