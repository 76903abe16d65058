import { logger } from '../../observability';
import type { NotificationType, Notifier } from '../../ports';

export interface RecordedNotification {
  type: NotificationType;
  recipientUserIds: string[];
  payload: Record<string, string>;
  at: string;
}

/**
 * Stand-in until push delivery exists (the push issue backs the Notifier port with SNS): records
 * each notification as a structured log line and keeps the latest in memory for the local runtime.
 */
export function makeRecordingNotifier(limit = 500) {
  const recorded: RecordedNotification[] = [];
  const notifier: Notifier = {
    async notify(type, recipientUserIds, payload) {
      recorded.push({ type, recipientUserIds, payload, at: new Date().toISOString() });
      if (recorded.length > limit) recorded.shift();
      logger.info('notification recorded', {
        notificationType: type,
        recipients: recipientUserIds.length,
        ...payload,
      });
    },
  };
  return { notifier, recorded };
}
