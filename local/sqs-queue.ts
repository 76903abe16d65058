import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

type Consumer = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface LocalQueueOptions {
  name: string;
  /** How long a received message stays invisible before it is delivered again (SQS default 30 s). */
  visibilityTimeoutMs?: number;
  /** Receives after which a message moves to the dead-letter queue (the redrive policy). */
  maxReceiveCount?: number;
  /** Messages per consumer invocation (the event source mapping's batch size). */
  batchSize?: number;
  /** Error lines (a consumer that throws) go here; nothing is printed when unset. */
  log?: (line: string) => void;
}

interface Message {
  messageId: string;
  body: string;
  sentTimestamp: number;
  firstReceiveTimestamp?: number;
  receiveCount: number;
  visibleAt: number;
  lastError?: string;
}

export interface QueueSnapshot {
  name: string;
  available: number;
  inFlight: number;
  /** Messages a consumer handled and deleted since the queue started (proof that work went through). */
  deleted: number;
  deadLetters: Array<{
    messageId: string;
    body: unknown;
    receiveCount: number;
    sentAt: string;
    lastError?: string;
  }>;
}

/**
 * An in-process queue with the SQS semantics the consumers rely on: a received message is invisible
 * for the visibility timeout and comes back unless the consumer deleted it (success, or absent from
 * `batchItemFailures`); every receive counts; past `maxReceiveCount` receives it moves to the DLQ.
 * A consumer that throws fails its whole batch, as with Lambda's event source mapping.
 */
export function createLocalSqsQueue(consumer: () => Promise<Consumer>, options: LocalQueueOptions) {
  const visibilityTimeoutMs = options.visibilityTimeoutMs ?? 30_000;
  const maxReceiveCount = options.maxReceiveCount ?? 3;
  const batchSize = options.batchSize ?? 10;
  const messages: Message[] = [];
  const deadLetters: Message[] = [];
  /** Fails the next N sends (fault injection for tests and `/_local/queues`). */
  let failSends = 0;
  let deleted = 0;
  let pumping = false;
  let timer: NodeJS.Timeout | undefined;
  const idle: Array<() => void> = [];

  const settleIfIdle = () => {
    if (messages.length === 0) for (const resolve of idle.splice(0)) resolve();
  };

  const schedule = (delayMs: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(
      () => {
        timer = undefined;
        void pump();
      },
      Math.max(0, delayMs),
    );
    timer.unref?.();
  };

  const toRecord = (message: Message): SQSRecord => ({
    messageId: message.messageId,
    receiptHandle: `${message.messageId}#${message.receiveCount}`,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentTimestamp),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${options.name}`,
    awsRegion: 'us-east-1',
  });

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      for (;;) {
        const now = Date.now();
        // Redrive happens on receive: a message past its receive budget goes to the DLQ instead.
        for (const message of messages.filter(
          (m) => m.visibleAt <= now && m.receiveCount >= maxReceiveCount,
        )) {
          messages.splice(messages.indexOf(message), 1);
          deadLetters.push(message);
        }
        const batch = messages.filter((m) => m.visibleAt <= now).slice(0, batchSize);
        if (batch.length === 0) break;
        for (const message of batch) {
          message.receiveCount++;
          message.firstReceiveTimestamp ??= now;
          message.visibleAt = now + visibilityTimeoutMs;
        }
        let failed: Set<string>;
        try {
          const response = await (await consumer())({ Records: batch.map(toRecord) });
          failed = new Set(response.batchItemFailures.map((item) => item.itemIdentifier));
        } catch (error) {
          options.log?.(`[${options.name}] consumer failed the whole batch: ${(error as Error).message}`);
          for (const message of batch) message.lastError = (error as Error).message;
          failed = new Set(batch.map((m) => m.messageId));
        }
        for (const message of batch) {
          if (!failed.has(message.messageId)) {
            messages.splice(messages.indexOf(message), 1);
            deleted++;
          }
        }
      }
    } finally {
      pumping = false;
    }
    settleIfIdle();
    const next = Math.min(...messages.map((m) => m.visibleAt));
    if (Number.isFinite(next)) schedule(next - Date.now());
  }

  return {
    name: options.name,
    /** `SendMessageBatch`: the producer side, as the adapters' `enqueue`. */
    queue: {
      async enqueue(items: unknown[]): Promise<void> {
        if (failSends > 0) {
          failSends--;
          throw new Error(`${options.name}: simulated SQS failure`);
        }
        const now = Date.now();
        for (const item of items) {
          messages.push({
            messageId: randomUUID(),
            body: JSON.stringify(item),
            sentTimestamp: now,
            receiveCount: 0,
            visibleAt: now,
          });
        }
        schedule(0);
      },
    },
    failNextSends(count: number) {
      failSends = count;
    },
    /** Resolves once nothing is waiting or in flight (dead letters stay). */
    drain: () =>
      new Promise<void>((resolve) => {
        if (messages.length === 0) resolve();
        else idle.push(resolve);
      }),
    snapshot(): QueueSnapshot {
      const now = Date.now();
      return {
        name: options.name,
        available: messages.filter((m) => m.visibleAt <= now).length,
        inFlight: messages.filter((m) => m.visibleAt > now).length,
        deleted,
        deadLetters: deadLetters.map((m) => ({
          messageId: m.messageId,
          body: safeJson(m.body),
          receiveCount: m.receiveCount,
          sentAt: new Date(m.sentTimestamp).toISOString(),
          ...(m.lastError ? { lastError: m.lastError } : {}),
        })),
      };
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

function safeJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

export type LocalSqsQueue = ReturnType<typeof createLocalSqsQueue>;
