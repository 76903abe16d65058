import { PUSH_FANOUT } from '../../config/push-fanout';
import {
  type Device,
  effectiveStatus,
  type PushDevice,
  type PushPlatform,
  type PushRegistration,
} from '../devices/model';
import { NotFoundError } from '../errors';
import { pageFor } from '../pagination';
import type {
  Clock,
  DeviceRepository,
  Hmac,
  IdGenerator,
  NotificationInbox,
  NotificationRecord,
  NotificationSettingsRepository,
  NotifyOptions,
  PushCoalescer,
  PushGateway,
  PushJob,
  PushTarget,
  SecurityLog,
} from '../ports';
import type { User } from '../users/model';
import { NOTIFICATION_CATALOGUE, NOTIFICATION_TYPES, type NotificationType, payloadIds } from './catalogue';
import { PreferenceLockedError, TypeDisabledError } from './errors';
import {
  effectivePreferences,
  type StoredPreferences,
  type StoredWorkspaceSettings,
  shouldDeliver,
  type WorkspaceNotificationSettings,
  workspaceSettings,
} from './policy';

export const NOTIFICATION_RETENTION_SECONDS = 30 * 24 * 60 * 60;
/**
 * Repeats of a type about the same subject (toggling a membership 20 times) push once per window;
 * `otp_code_received` is exempt: a newer code must always reach the phone.
 */
export const PUSH_COALESCE_SECONDS = 60;
const NEVER_COALESCED: readonly NotificationType[] = ['otp_code_received'];

export interface NotifyDeps {
  /** Recipients and preferences (batched reads), workspace settings. */
  settings: NotificationSettingsRepository;
  /** The notification list; `commit` records and queues (outbox) in batched transactions. */
  inbox: NotificationInbox;
  devices: Pick<DeviceRepository, 'listDevices'>;
  /** Coalesces repeated pushes (the notification list still records every event). */
  pushWindows: PushCoalescer;
  clock: Clock;
  newId: IdGenerator;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** The devices a push for this user goes to: trusted mobile apps with a live endpoint. */
export function pushTargets(
  devices: PushDevice[],
  now: Date,
): { targets: PushTarget[]; undeliverable: number } {
  const mobiles = devices.filter(
    (d) => d.clientType === 'mobile' && effectiveStatus(d, now) === 'trusted' && d.push,
  );
  const targets = mobiles
    .filter((d) => d.push?.active && d.push.endpointArn)
    .map((d) => ({
      deviceId: d.id,
      endpointArn: d.push?.endpointArn as string,
      platform: d.push?.platform as PushPlatform,
    }));
  return { targets, undeliverable: mobiles.length - targets.length };
}

/**
 * Sends one notification type to users: the policy decides per recipient; delivered ones are kept in
 * the recipient's notification list for 30 days and queued for push to their trusted mobile devices.
 * The cost does not grow by a read per recipient: users and preferences come in batched reads, the
 * push windows and the records with their push jobs in batched transactions, and the devices are read
 * by the fan-out when it delivers (the job names the user, not the endpoints).
 */
export async function notify(
  type: NotificationType,
  recipientUserIds: string[],
  payload: Record<string, string>,
  deps: NotifyDeps,
  options: NotifyOptions = {},
): Promise<{ delivered: number; suppressed: number; coalesced: number }> {
  const entry = NOTIFICATION_CATALOGUE[type];
  const data = payloadIds(type, payload);
  const now = deps.clock.now();
  const recipients = [...new Set(recipientUserIds)];
  const coalesce = options.coalesce !== false && !NEVER_COALESCED.includes(type);
  // The subject is the type's first id (the account, device or challenge the notification is about).
  const subject = `${type}#${data[entry.ids[0] as string] ?? ''}`;

  const found = recipients.length > 0 ? await deps.settings.recipients(recipients) : new Map();
  const workspaceIds = new Set<string>();
  for (const { user } of found.values()) if (user?.status === 'active') workspaceIds.add(user.workspaceId);
  const settingsByWorkspace = new Map(
    await Promise.all(
      [...workspaceIds].map(
        async (id) => [id, workspaceSettings(await deps.settings.getWorkspaceSettings(id))] as const,
      ),
    ),
  );
  const delivered: string[] = [];
  for (const userId of recipients) {
    const recipient = found.get(userId);
    const settings =
      recipient?.user?.status === 'active' && settingsByWorkspace.get(recipient.user.workspaceId);
    if (settings && shouldDeliver(settings[type], recipient.preferences[type])) delivered.push(userId);
  }
  const pushed =
    coalesce && delivered.length > 0
      ? await deps.pushWindows.claimMany(
          delivered,
          subject,
          new Date(now.getTime() + PUSH_COALESCE_SECONDS * 1000),
          now,
        )
      : new Set(delivered);
  const records: NotificationRecord[] = delivered.map((userId) => ({
    id: deps.newId('ntf'),
    userId,
    type,
    title: entry.title,
    body: entry.body,
    data,
    createdAt: now.toISOString(),
  }));
  const excluded = options.excludeDeviceIds?.length ? { excludeDeviceIds: options.excludeDeviceIds } : {};
  // One job per group of recipients: the same push to each, one delivery-log claim for the group.
  const pushedRecords = records.filter((record) => pushed.has(record.userId));
  const jobs: PushJob[] = [];
  for (let i = 0; i < pushedRecords.length; i += PUSH_FANOUT.recipientsPerJob) {
    const group = pushedRecords.slice(i, i + PUSH_FANOUT.recipientsPerJob);
    const [first] = group as [NotificationRecord, ...NotificationRecord[]];
    jobs.push({
      kind: 'deliver',
      notificationId: first.id,
      userId: first.userId,
      type,
      title: first.title,
      body: first.body,
      data,
      ...excluded,
      ...(group.length > 1 ? { recipients: group.map((record) => record.userId) } : {}),
    });
  }
  const outcome =
    records.length > 0 || options.inboundMessageId
      ? await deps.inbox.commit({
          records,
          jobs,
          retentionSeconds: NOTIFICATION_RETENTION_SECONDS,
          inboundMessageId: options.inboundMessageId,
        })
      : 'committed';
  const result = {
    delivered: outcome === 'committed' ? delivered.length : 0,
    suppressed: recipients.length - delivered.length,
    coalesced: delivered.length - pushed.size,
  };
  deps.log?.('notification sent', {
    notificationType: type,
    ...result,
    pushJobs: outcome === 'committed' ? jobs.length : 0,
    ...(outcome === 'already_notified' ? { alreadyNotified: true } : {}),
  });
  return result;
}

export async function getWorkspaceNotificationSettings(
  caller: User,
  deps: Pick<NotifyDeps, 'settings'>,
): Promise<WorkspaceNotificationSettings> {
  return workspaceSettings(await deps.settings.getWorkspaceSettings(caller.workspaceId));
}

/** Owners and admins change some types; the others keep their values. */
export async function updateWorkspaceNotificationSettings(
  caller: User,
  changes: StoredWorkspaceSettings,
  deps: Pick<NotifyDeps, 'settings' | 'clock'>,
): Promise<WorkspaceNotificationSettings> {
  return workspaceSettings(
    await deps.settings.updateWorkspaceSettings(caller.workspaceId, changes, deps.clock.now()),
  );
}

export async function getMyPreferences(caller: User, deps: Pick<NotifyDeps, 'settings'>) {
  const [settings, preferences] = await Promise.all([
    deps.settings.getWorkspaceSettings(caller.workspaceId),
    deps.settings.getPreferences(caller.id),
  ]);
  return effectivePreferences(workspaceSettings(settings), preferences);
}

/**
 * A user may change the types the workspace leaves to them: naming a type the workspace enforces
 * (409 preference_locked) or has turned off (409 type_disabled) refuses the whole request.
 */
export async function updateMyPreferences(
  caller: User,
  changes: StoredPreferences,
  deps: Pick<NotifyDeps, 'settings' | 'clock'>,
) {
  const settings = workspaceSettings(await deps.settings.getWorkspaceSettings(caller.workspaceId));
  for (const type of NOTIFICATION_TYPES) {
    if (!changes[type]) continue;
    if (!settings[type].enabled) throw new TypeDisabledError(type);
    if (settings[type].enforced) throw new PreferenceLockedError(type);
  }
  const stored = await deps.settings.updatePreferences(caller.id, changes, deps.clock.now());
  return effectivePreferences(settings, stored);
}

export interface RegisterPushDeps {
  devices: Pick<DeviceRepository, 'setPush' | 'claimPushToken' | 'releasePushToken'>;
  gateway: PushGateway;
  hmac: Hmac;
  clock: Clock;
  security: SecurityLog;
}

/**
 * The calling mobile device registers its push token. Re-registering reuses the device's endpoint
 * (token changed: the endpoint is updated and re-enabled), so two calls never make two endpoints.
 */
export async function registerPush(
  caller: User,
  device: Device,
  deviceId: string,
  input: { platform: PushPlatform; token: string },
  deps: RegisterPushDeps,
): Promise<PushRegistration> {
  if (device.id !== deviceId) throw new NotFoundError('No such device.');
  const now = deps.clock.now();
  // Keyed by the token alone: one token (one app install) belongs to one device, whoever registers it.
  const tokenHash = await deps.hmac.digest(`push-token\n${input.token}`);
  const current = device.push;
  const base = { platform: input.platform, tokenHash, updatedAt: now.toISOString() };
  let registration: PushRegistration;
  if (!deps.gateway.platformConfigured(input.platform)) {
    registration = { ...base, active: false };
  } else if (current?.endpointArn && current.platform === input.platform) {
    const same = current.tokenHash === tokenHash && current.active;
    const outcome = same ? 'updated' : await deps.gateway.updateEndpoint(current.endpointArn, input.token);
    registration =
      outcome === 'updated'
        ? { ...base, endpointArn: current.endpointArn, active: true }
        : {
            ...base,
            endpointArn: await deps.gateway.createEndpoint(input.platform, input.token, device.id),
            active: true,
          };
  } else {
    if (current?.endpointArn) await deps.gateway.deleteEndpoint(current.endpointArn);
    registration = {
      ...base,
      endpointArn: await deps.gateway.createEndpoint(input.platform, input.token, device.id),
      active: true,
    };
  }
  if ((await deps.devices.setPush(device, registration, now)) === 'conflict') {
    throw new NotFoundError('No such device.');
  }
  // The token moves here: the device that held it before stops targeting it (and no longer owns the
  // endpoint SNS may hand both of them, so disabling it will not delete this device's endpoint).
  const previous = await deps.devices.claimPushToken(tokenHash, { userId: caller.id, deviceId: device.id });
  if (previous && previous.deviceId !== device.id) {
    await deps.devices.releasePushToken(previous.userId, previous.deviceId, tokenHash);
    deps.security.record({
      event: 'device.push_token_moved',
      outcome: 'success',
      userId: previous.userId,
      deviceId: previous.deviceId,
      actorUserId: caller.id,
      actorDeviceId: device.id,
    });
  }
  deps.security.record({
    event: 'device.push_registered',
    outcome: 'success',
    reason: registration.active ? input.platform : 'platform_not_configured',
    userId: caller.id,
    deviceId: device.id,
  });
  return registration;
}

/** What happened to the thing a notification asked about, for the types that ask. */
export type NotificationOutcome = 'pending' | 'approved' | 'denied' | 'expired' | 'disabled';

export async function listMyNotifications(
  caller: User,
  options: { limit: number; cursor?: string | undefined },
  deps: Pick<NotifyDeps, 'inbox' | 'clock' | 'devices'> & { hmac: Hmac },
) {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - NOTIFICATION_RETENTION_SECONDS * 1000);
  const page = await pageFor(
    (cursor) => deps.inbox.list(caller.id, { limit: options.limit, cursor, since }),
    options.cursor,
    { list: 'notifications', callerId: caller.id },
    deps.hmac,
  );
  // Both ask about a device: a new one to approve, or the one an unrecognised login came from.
  const aboutDevice = (type: NotificationType) =>
    type === 'trusted_device_request' || type === 'unrecognized_login';
  const needsDevices = page.items.some((item) => aboutDevice(item.type));
  const devices = needsDevices ? await deps.devices.listDevices(caller.id) : [];
  const outcomes: Record<string, NotificationOutcome> = {
    pending_approval: 'pending',
    trusted: 'approved',
    denied: 'denied',
    expired: 'expired',
    disabled: 'disabled',
  };
  return {
    items: page.items.map((item) => {
      const device = aboutDevice(item.type) ? devices.find((d) => d.id === item.data.deviceId) : undefined;
      const status = device ? effectiveStatus(device, now) : undefined;
      // An unrecognised login is answered once its device is disabled ("not me" or by hand).
      const outcome =
        item.type === 'unrecognized_login'
          ? status === 'disabled'
            ? 'disabled'
            : undefined
          : status && outcomes[status];
      return { ...item, ...(outcome ? { outcome } : {}) };
    }),
    nextCursor: page.nextCursor,
  };
}
