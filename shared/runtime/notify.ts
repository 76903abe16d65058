import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeDeviceRepository } from '../adapters/dynamodb/device-repository';
import { makeNotificationRepository } from '../adapters/dynamodb/notification-repository';
import { makeOutboxPushQueue } from '../adapters/dynamodb/outbox';
import { makePushCoalescer } from '../adapters/dynamodb/push-coalescer';
import { makeUserRepository } from '../adapters/dynamodb/user-repository';
import { newId, systemClock } from '../adapters/ids';
import { type NotifyDeps, notify } from '../domain/notifications/use-cases';
import type { Notifier } from '../domain/ports';
import { logger } from '../observability';

/** What sending a notification needs, and nothing else (for functions that only notify). */
export function makeNotifier(
  doc: DynamoDBDocumentClient,
  tableName: string,
): { notifier: Notifier; deps: NotifyDeps } {
  const { settings, inbox } = makeNotificationRepository(doc, tableName);
  const deps: NotifyDeps = {
    users: makeUserRepository(doc, tableName),
    devices: makeDeviceRepository(doc, tableName),
    settings,
    inbox,
    // Push work is recorded in the table (outbox) and relayed to SQS after commit: no SQS call here.
    queue: makeOutboxPushQueue(doc, tableName, { clock: systemClock, newId }),
    pushWindows: makePushCoalescer(doc, tableName),
    clock: systemClock,
    newId,
    log: (message, fields) => logger.info(message, fields),
  };
  return {
    deps,
    notifier: {
      notify: async (type, recipients, payload, options) => {
        await notify(type, recipients, payload, deps, options);
      },
    },
  };
}
