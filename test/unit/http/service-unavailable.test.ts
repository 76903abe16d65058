import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { toErrorResponse } from '../../../shared/http/errors';
import { jsonResponse } from '../../../shared/http/middleware';

const meta = { $metadata: {}, message: 'x' };

describe('503 service_unavailable', () => {
  it.each([
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }),
    ],
    [
      'a dual-stack refusal',
      new AggregateError([Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })]),
    ],
    ['an attempt timeout', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
    ['the call deadline', new DOMException('The operation was aborted due to timeout', 'TimeoutError')],
    ['throttling after retries', new ProvisionedThroughputExceededException(meta)],
    [
      'a 5xx of any service',
      Object.assign(new Error('boom'), { $fault: 'server', $metadata: { httpStatusCode: 500 } }),
    ],
  ])('answers %s with 503 and Retry-After', (_case, error) => {
    const mapped = toErrorResponse(error);
    const response = jsonResponse(mapped.status, mapped.body);

    expect(mapped.status).toBe(503);
    expect(mapped.body).toMatchObject({ error: 'service_unavailable' });
    expect(response.headers?.['retry-after']).toBe('5');
  });

  it('keeps 500 for failures a retry would not fix: a failed condition that escaped, a bug', () => {
    expect(toErrorResponse(new ConditionalCheckFailedException(meta)).status).toBe(500);
    expect(toErrorResponse(new TypeError('undefined is not a function')).status).toBe(500);
    expect(
      toErrorResponse(
        Object.assign(new Error('bad'), { $fault: 'client', $metadata: { httpStatusCode: 400 } }),
      ).status,
    ).toBe(500);
  });
});
