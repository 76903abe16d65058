import * as z from 'zod/mini';
import { PUSH_PLATFORMS } from '../../domain/devices/model';
import { NOTIFICATION_TYPES, type NotificationType } from '../../domain/notifications/catalogue';
import type { PushJob } from '../../domain/ports';

const pushJob = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('deliver'),
    notificationId: z.string(),
    userId: z.string(),
    type: z.enum(NOTIFICATION_TYPES as [NotificationType, ...NotificationType[]]),
    title: z.string(),
    body: z.string(),
    data: z.record(z.string(), z.string()),
    targets: z.optional(
      z.array(z.object({ deviceId: z.string(), endpointArn: z.string(), platform: z.enum(PUSH_PLATFORMS) })),
    ),
    excludeDeviceIds: z.optional(z.array(z.string())),
    recipients: z.optional(z.array(z.string())),
  }),
  z.object({ kind: z.literal('delete_endpoints'), userId: z.string(), endpointArns: z.array(z.string()) }),
]);

/** A queue message body as a push job, or undefined when it is not one (never retried). */
export function parsePushJob(body: string): PushJob | undefined {
  try {
    const result = z.safeParse(pushJob, JSON.parse(body));
    return result.success ? (result.data as PushJob) : undefined;
  } catch {
    return undefined;
  }
}
