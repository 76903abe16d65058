import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { buildPushMessage } from '../shared/adapters/sns/push-gateway';
import type { PushPlatform } from '../shared/domain/devices/model';
import type { PublishOutcome, PushGateway, PushJob, PushMessage } from '../shared/ports';

export interface OutboxPush {
  at: string;
  endpointArn: string;
  deviceId: string;
  platform: PushPlatform;
  type: string;
  title: string;
  body: string;
  data: Record<string, string>;
  /** The exact `Message` SNS would get (`MessageStructure: "json"`). */
  message: string;
}

interface LocalEndpoint {
  platform: PushPlatform;
  token: string;
  deviceId: string;
  enabled: boolean;
}

/**
 * SNS mobile push, simulated: endpoints in memory (idempotent per token, like CreatePlatformEndpoint),
 * publishes land in an outbox instead of APNs/FCM. An endpoint can be disabled to exercise the
 * EndpointDisabled path, as SNS does when a token is rejected.
 */
export function createPushSimulator(options: { print?: (line: string) => void } = {}) {
  const endpoints = new Map<string, LocalEndpoint>();
  const outbox: OutboxPush[] = [];
  const arnFor = (platform: PushPlatform) =>
    `arn:aws:sns:us-east-1:000000000000:endpoint/${platform === 'FCM' ? 'GCM' : platform}/latchkey-local/${randomUUID()}`;

  const gateway: PushGateway = {
    platformConfigured: () => true,
    async createEndpoint(platform, token, deviceId) {
      for (const [arn, endpoint] of endpoints) {
        if (endpoint.token === token && endpoint.platform === platform) {
          endpoints.set(arn, { ...endpoint, deviceId, enabled: true });
          return arn;
        }
      }
      const arn = arnFor(platform);
      endpoints.set(arn, { platform, token, deviceId, enabled: true });
      return arn;
    },
    async updateEndpoint(endpointArn, token) {
      const endpoint = endpoints.get(endpointArn);
      if (!endpoint) return 'endpoint_missing';
      endpoints.set(endpointArn, { ...endpoint, token, enabled: true });
      return 'updated';
    },
    async deleteEndpoint(endpointArn) {
      endpoints.delete(endpointArn);
    },
    async publish(endpointArn, message: PushMessage): Promise<PublishOutcome> {
      const endpoint = endpoints.get(endpointArn);
      if (!endpoint) return 'endpoint_missing';
      if (!endpoint.enabled) return 'endpoint_disabled';
      outbox.push({
        at: new Date().toISOString(),
        endpointArn,
        deviceId: endpoint.deviceId,
        platform: endpoint.platform,
        type: message.type,
        title: message.title,
        body: message.body,
        data: message.data,
        message: buildPushMessage(message),
      });
      options.print?.(
        `[push] ${message.type} -> ${endpoint.platform} device ${endpoint.deviceId}: ${message.body}`,
      );
      return 'sent';
    },
  };

  return {
    gateway,
    outbox,
    endpoints,
    disable(endpointArn: string): boolean {
      const endpoint = endpoints.get(endpointArn);
      if (endpoint) endpoint.enabled = false;
      return Boolean(endpoint);
    },
  };
}

/**
 * SQS, simulated: each enqueue becomes an SQS event for the push fan-out handler, delivered
 * asynchronously; messages the handler reports as failed are redelivered (3 receives, then dropped as
 * a DLQ would keep them). `drain()` waits until nothing is in flight (tests, benchmarks).
 */
export function createLocalQueue<T = PushJob>(
  handler: () => Promise<(event: SQSEvent) => Promise<SQSBatchResponse>>,
  options: { maxReceives?: number; onDeadLetter?: (job: T) => void } = {},
) {
  let inFlight = 0;
  const idle: Array<() => void> = [];
  const settle = () => {
    if (inFlight === 0) for (const resolve of idle.splice(0)) resolve();
  };

  async function deliver(jobs: T[], receive: number): Promise<void> {
    const records = jobs.map((job) => ({ messageId: randomUUID(), job }));
    const event = {
      Records: records.map(({ messageId, job }) => ({
        messageId,
        receiptHandle: messageId,
        body: JSON.stringify(job),
        attributes: { ApproximateReceiveCount: String(receive) },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:latchkey-local-push',
        awsRegion: 'us-east-1',
      })),
    } as unknown as SQSEvent;
    const response = await (await handler())(event);
    const failed = new Set(response.batchItemFailures.map((item) => item.itemIdentifier));
    const retry = records.filter((record) => failed.has(record.messageId)).map((record) => record.job);
    if (retry.length === 0) return;
    if (receive >= (options.maxReceives ?? 3)) {
      for (const job of retry) options.onDeadLetter?.(job);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50 * receive));
    await deliver(retry, receive + 1);
  }

  const queue = {
    async enqueue(jobs: T[]) {
      inFlight++;
      setImmediate(() => {
        deliver(jobs, 1)
          .catch((error: unknown) => console.error('[push-queue] delivery failed', error))
          .finally(() => {
            inFlight--;
            settle();
          });
      });
    },
  };
  return {
    queue,
    drain: () => new Promise<void>((resolve) => (inFlight === 0 ? resolve() : idle.push(resolve))),
  };
}
