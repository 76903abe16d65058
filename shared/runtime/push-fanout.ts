import { sharedDocumentClient } from '../adapters/dynamodb/client';
import { makeDeviceRepository } from '../adapters/dynamodb/device-repository';
import { makeNotificationRepository } from '../adapters/dynamodb/notification-repository';
import { systemClock } from '../adapters/ids';
import { sharedPushGateway } from '../adapters/sns/shared-gateway';
import { ENV, requireEnv } from '../config/env';
import { PUSH_FANOUT } from '../config/push-fanout';
import type { DeliverDeps } from '../domain/notifications/deliver';
import { logger } from '../observability';
import type { ExternalAdapters } from './external-adapters';

/** What delivering push jobs needs: SNS (or the local simulator), deliveries and devices. */
export function fanoutDeps(adapters?: Pick<ExternalAdapters, 'pushGateway'>): DeliverDeps {
  const doc = sharedDocumentClient();
  const tableName = requireEnv(ENV.tableName);
  return {
    gateway: adapters?.pushGateway ?? sharedPushGateway(),
    deliveries: makeNotificationRepository(doc, tableName).deliveries,
    devices: makeDeviceRepository(doc, tableName),
    clock: systemClock,
    concurrency: PUSH_FANOUT.concurrency,
    log: (message: string, fields: Record<string, unknown>) => logger.warn(message, fields),
  };
}
