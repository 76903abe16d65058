import { AsyncLocalStorage } from 'node:async_hooks';
import { logger } from './index';

/**
 * The correlation id: taken from the API request (`x-correlation-id` when the client sends a sane one,
 * else API Gateway's request id), written into every outbox item, queue message and event this
 * invocation produces, and read back by their consumers. One Logs Insights query
 * (`filter correlation_id = "..."`) then finds a request's whole path, fan-out included.
 */
export const CORRELATION_HEADER = 'x-correlation-id';
/** The SQS message attribute that carries it (message bodies stay the job itself). */
export const CORRELATION_ATTRIBUTE = 'correlationId';

const store = new AsyncLocalStorage<{ correlationId: string }>();
const SANE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Runs `fn` as the invocation's work under `id` (the telemetry wrapper's entry point). */
export function runWithCorrelation<T>(id: string, fn: () => T): T {
  return store.run({ correlationId: id }, fn);
}

/** The correlation id of the work in progress, if any. */
export function currentCorrelationId(): string | undefined {
  return store.getStore()?.correlationId;
}

/** Runs `fn` under `id` (records of one batch that came from different requests each keep theirs). */
export async function withCorrelation<T>(id: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (!id || !SANE.test(id)) return fn();
  const previous = currentCorrelationId();
  logger.appendKeys({ correlation_id: id });
  try {
    return await store.run({ correlationId: id }, fn);
  } finally {
    if (previous) logger.appendKeys({ correlation_id: previous });
  }
}

type AnyRecord = {
  messageId?: string;
  messageAttributes?: Record<string, { stringValue?: string | undefined } | undefined>;
  dynamodb?: { NewImage?: { event?: { M?: { correlationId?: { S?: string } } } } };
  ses?: { mail?: { messageId?: string } };
  Sns?: { MessageId?: string };
};
type AnyEvent = {
  headers?: Record<string, string | undefined>;
  requestContext?: { requestId?: string };
  Records?: AnyRecord[];
  detail?: { correlationId?: unknown };
  id?: string;
  RequestId?: string;
};

/** The id a record carries, or its own message id when it starts a new path (inbound SMS and mail). */
export function correlationOfRecord(record: AnyRecord): string | undefined {
  return (
    record.messageAttributes?.[CORRELATION_ATTRIBUTE]?.stringValue ??
    record.dynamodb?.NewImage?.event?.M?.correlationId?.S ??
    record.ses?.mail?.messageId ??
    record.Sns?.MessageId ??
    record.messageId
  );
}

/** The ids an incoming event carries, whatever its source (HTTP API, SQS, stream, SES, EventBridge). */
export function correlationIdsOf(event: unknown): string[] {
  const e = (event ?? {}) as AnyEvent;
  const header = e.headers?.[CORRELATION_HEADER];
  if (header && SANE.test(header)) return [header];
  if (e.requestContext?.requestId) return [e.requestContext.requestId];
  if (Array.isArray(e.Records)) {
    const ids = e.Records.map(correlationOfRecord).filter((id): id is string => Boolean(id && SANE.test(id)));
    return [...new Set(ids)].slice(0, 10);
  }
  if (typeof e.detail?.correlationId === 'string' && SANE.test(e.detail.correlationId))
    return [e.detail.correlationId];
  const own = e.id ?? e.RequestId;
  return own && SANE.test(own) ? [own] : [];
}
