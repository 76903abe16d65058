import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildPushMessage } from '../shared/adapters/sns/push-gateway';
import type { PushPlatform } from '../shared/domain/devices/model';
import type { PublishOutcome, PushGateway, PushMessage } from '../shared/domain/ports';

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

interface PushState {
  endpoints: Array<[string, LocalEndpoint]>;
  outbox: OutboxPush[];
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
export function createPushSimulator(options: { print?: (line: string) => void; file?: string } = {}) {
  const { file } = options;
  // With a file (`.latchkey/push.json`), endpoints and the outbox survive restarts.
  const kept = file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PushState) : undefined;
  const endpoints = new Map<string, LocalEndpoint>(kept?.endpoints ?? []);
  const outbox: OutboxPush[] = kept?.outbox ?? [];
  const save = () => {
    if (!file) return;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ endpoints: [...endpoints], outbox } satisfies PushState));
  };
  const arnFor = (platform: PushPlatform) =>
    `arn:aws:sns:us-east-1:000000000000:endpoint/${platform === 'FCM' ? 'GCM' : platform}/latchkey-local/${randomUUID()}`;

  let failing = 0;
  const gateway: PushGateway = {
    platformConfigured: () => true,
    async createEndpoint(platform, token, deviceId) {
      for (const [arn, endpoint] of endpoints) {
        if (endpoint.token === token && endpoint.platform === platform) {
          endpoints.set(arn, { ...endpoint, deviceId, enabled: true });
          save();
          return arn;
        }
      }
      const arn = arnFor(platform);
      endpoints.set(arn, { platform, token, deviceId, enabled: true });
      save();
      return arn;
    },
    async updateEndpoint(endpointArn, token) {
      const endpoint = endpoints.get(endpointArn);
      if (!endpoint) return 'endpoint_missing';
      endpoints.set(endpointArn, { ...endpoint, token, enabled: true });
      save();
      return 'updated';
    },
    async deleteEndpoint(endpointArn) {
      endpoints.delete(endpointArn);
      save();
    },
    async publish(endpointArn, message: PushMessage): Promise<PublishOutcome> {
      if (failing > 0) {
        failing--;
        // What SNS answers when it is struggling: a transient error the fan-out retries.
        throw Object.assign(new Error('Service is unavailable (simulated)'), {
          name: 'InternalErrorException',
          $fault: 'server',
        });
      }
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
      save();
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
    /** The next `count` publishes fail as SNS does when it is unavailable (fault runs). */
    failNextPublishes(count: number) {
      failing = count;
    },
    disable(endpointArn: string): boolean {
      const endpoint = endpoints.get(endpointArn);
      if (endpoint) endpoint.enabled = false;
      save();
      return Boolean(endpoint);
    },
  };
}
