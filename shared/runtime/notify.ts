import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeDeviceReads } from '../adapters/dynamodb/device-reads';
import { makeNotificationRepository } from '../adapters/dynamodb/notification-repository';
import { makeOutboxPushQueue } from '../adapters/dynamodb/outbox';
import { makePushCoalescer } from '../adapters/dynamodb/push-coalescer';
import { newId, systemClock } from '../adapters/ids';
import { type NotifyDeps, notify } from '../domain/notifications/use-cases';
import type { Notifier, PushQueue } from '../domain/ports';
import { logger } from '../observability';

/** What sending a notification needs, and nothing else (for functions that only notify). */
export function makeNotifier(
  doc: DynamoDBDocumentClient,
  tableName: string,
): { notifier: Notifier; deps: NotifyDeps & { queue: PushQueue } } {
  const { settings, inbox } = makeNotificationRepository(doc, tableName, { newId });
  const deps = {
    devices: makeDeviceReads(doc, tableName),
    settings,
    // Records and push jobs are written together (the jobs as outbox items, relayed to SQS after
    // commit): no SQS call here.
    inbox,
    // For the other use cases that queue push work (deprovisioning deletes endpoints).
    queue: makeOutboxPushQueue(doc, tableName, { clock: systemClock, newId }),
    pushWindows: makePushCoalescer(doc, tableName),
    clock: systemClock,
    newId,
    log: (message: string, fields: Record<string, unknown>) => logger.info(message, fields),
  } satisfies NotifyDeps & { queue: PushQueue };
  return {
    deps,
    notifier: {
      notify: async (type, recipients, payload, options) => {
        await notify(type, recipients, payload, deps, options);
      },
    },
  };
}
