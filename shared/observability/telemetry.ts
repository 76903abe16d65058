import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { correlationIdsOf, currentCorrelationId, runWithCorrelation } from './correlation';
import { logger, metrics, tracer } from './index';

/** Any Lambda entry: the event, then the context (middy handlers take more, optional, arguments). */
// biome-ignore lint/suspicious/noExplicitAny: handlers of every event type are accepted here.
export type LambdaHandler = (event: any, context: any, ...rest: any[]) => unknown;
export type Instrumented<H extends LambdaHandler> = (
  event: Parameters<H>[0],
  context?: Context,
) => Promise<Awaited<ReturnType<H>>>;

const localContext = (): Context =>
  ({
    functionName: 'latchkey-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:latchkey-local',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: 'local',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

/**
 * Every Lambda entry goes through this once: Powertools `injectLambdaContext` (request id, cold start
 * and correlation id on every log line; keys reset per invocation), `logMetrics` (the invocation's
 * metrics flushed once, with the `ColdStart` metric) and `captureLambdaHandler` (X-Ray subsegment).
 * Wrapping twice is harmless: an inner wrapper inside an instrumented invocation just calls through.
 */
export function instrument<H extends LambdaHandler>(handler: H): Instrumented<H> {
  type E = Parameters<H>[0];
  type R = Awaited<ReturnType<H>>;
  const call = (event: E, context: Context) => handler(event as never, context as never) as Promise<R>;
  const wrapped = middy<E, R, Error, Context>((event: E, context: Context) => call(event, context))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use({
      before: ({ event }) => {
        const ids = correlationIdsOf(event);
        const id = currentCorrelationId();
        if (id) logger.appendKeys({ correlation_id: id });
        if (ids.length > 1) logger.appendKeys({ correlation_ids: ids });
      },
    });
  return (async (event: E, context?: Context) => {
    if (currentCorrelationId()) return call(event, context ?? localContext());
    // A batch from several requests gets an id of its own; its log lines list the ones it carries.
    const ids = correlationIdsOf(event);
    const id = (ids.length === 1 ? ids[0] : undefined) ?? context?.awsRequestId ?? randomUUID();
    return runWithCorrelation(id, () => wrapped(event, context ?? localContext()));
  }) as Instrumented<H>;
}
