import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { TABLE } from '../../config/table';
import {
  DEVICE_RULES,
  type Device,
  type DeviceCode,
  type DevicePublicKey,
  holdsSlot,
  nameKey,
  type PushRegistration,
} from '../../domain/devices/model';
import type { DomainEvent } from '../../domain/events';
import type { DeviceRepository, ResendOutcome, WriteOutcome } from '../../domain/ports';
import type { User } from '../../domain/users/model';
import { cancellationCodes, isActiveOwnerOf, itemIsNew } from './conditions';
import { deviceKeys, makeDeviceReads, toDevice } from './device-reads';
import { hourlyCount, queryPrefix, type UpdateInput, conditionalUpdate as update } from './operations';
import { outboxPut } from './outbox';
import { makePushDevicesReader, pushDevicesUpdate, pushEntry } from './push-devices';
import { userKeys } from './user-repository';

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;

/** The keys live with the narrow reads (`device-reads.ts`); tests and tools find them here too. */
export { deviceKeys } from './device-reads';

const epochSeconds = (date: Date | string) => Math.floor(new Date(date).getTime() / 1000);

/** TTL for a pending device: a day after its window closes (clean-up only; expiry is checked on read). */
const pendingTtl = (pendingUntil: string) => epochSeconds(pendingUntil) + 24 * 60 * 60;
const historyTtl = (now: Date) => epochSeconds(now) + DEVICE_RULES.historyRetentionSeconds;

function conflictOn(error: unknown): string[] {
  const codes = cancellationCodes(error);
  if (!codes) throw error;
  return codes;
}

const FAILED = 'ConditionalCheckFailed';

export function makeDeviceRepository(doc: DynamoDBDocumentClient, tableName: string): DeviceRepository {
  const transact = (items: unknown[]) =>
    doc.send(new TransactWriteCommand({ TransactItems: items as never }));

  /** The name claim goes with its device: delete only the claim that points at this device. */
  const releaseName = (device: Device) => ({
    Delete: {
      TableName: tableName,
      Key: deviceKeys.name(device.userId, device.name),
      ConditionExpression: '#deviceId = :deviceId',
      ExpressionAttributeNames: { '#deviceId': 'deviceId' },
      ExpressionAttributeValues: { ':deviceId': device.id },
    },
  });
  const claimName = (device: Device, name: string) => ({
    Put: {
      TableName: tableName,
      Item: {
        ...deviceKeys.name(device.userId, name),
        [TABLE.entityAttribute]: 'DeviceName',
        deviceId: device.id,
      },
      ...itemIsNew,
    },
  });
  const releaseSlots = (userId: string, count: number) => ({
    Update: {
      TableName: tableName,
      Key: deviceKeys.slots(userId),
      UpdateExpression: 'SET #held = #held - :count',
      ConditionExpression: '#held >= :count',
      ExpressionAttributeNames: { '#held': 'held' },
      ExpressionAttributeValues: { ':count': count },
    },
  });

  /**
   * Trusted devices leave the user's push-devices item with their status change. Every trusted one, not
   * only those read with a push registration: one may have registered since it was read (the status
   * condition does not see that), and removing an absent entry is harmless.
   */
  const dropPushEntries = (userId: string, devices: Device[]) =>
    pushDevicesUpdate(
      tableName,
      userId,
      devices.filter(wasTrusted).map((device) => ({ deviceId: device.id, entry: undefined })),
    );
  const wasTrusted = (device: Device) => device.status === 'trusted';

  const reads = makeDeviceReads(doc, tableName);
  const { getDevice, listDevices } = reads;

  const countInHour = (key: Record<string, string>, cap: number, hour: number, entity: string) => ({
    Update: hourlyCount(tableName, key, cap, hour, entity),
  });

  /** The lane goes with its request: delete it only while this device holds it (or it is gone). */
  const releaseLane = (device: Device) =>
    device.approvalLane === undefined
      ? []
      : [
          {
            Delete: {
              TableName: tableName,
              Key: deviceKeys.approvalLane(device.userId, device.approvalLane),
              ConditionExpression: 'attribute_not_exists(#pk) OR #deviceId = :deviceId',
              ExpressionAttributeNames: { '#pk': PK, '#deviceId': 'deviceId' },
              ExpressionAttributeValues: { ':deviceId': device.id },
            },
          },
        ];

  /** A pending-approval request: a free lane, one more in the hour, and no report block. */
  function approvalItems(device: Device, hourlyCap: number, now: Date) {
    const hour = Math.floor(now.getTime() / 3_600_000);
    const until = device.pendingUntil ?? now.toISOString();
    return [
      {
        Put: {
          TableName: tableName,
          Item: {
            ...deviceKeys.approvalLane(device.userId, device.approvalLane ?? 0),
            [TABLE.entityAttribute]: 'ApprovalLane',
            deviceId: device.id,
            until,
            [TABLE.ttlAttribute]: pendingTtl(until),
          },
          // A lane is free when nobody holds it or its request's window is over (expiry, not TTL).
          ConditionExpression: 'attribute_not_exists(#pk) OR #until <= :now',
          ExpressionAttributeNames: { '#pk': PK, '#until': 'until' },
          ExpressionAttributeValues: { ':now': now.toISOString() },
        },
      },
      countInHour(deviceKeys.approvals(device.userId, hour), hourlyCap, hour, 'ApprovalRequests'),
      {
        ConditionCheck: {
          TableName: tableName,
          Key: deviceKeys.approvalBlock(device.userId),
          ConditionExpression: 'attribute_not_exists(#until) OR #until <= :now',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: { ':now': now.toISOString() },
        },
      },
    ];
  }

  async function create(
    device: Device,
    maxDevices: number,
    approval?: { hourlyCap: number; now: Date },
    events: DomainEvent[] = [],
  ) {
    try {
      await transact([
        {
          // A slot is taken only while fewer than the maximum are held: the limit holds under concurrency.
          Update: {
            TableName: tableName,
            Key: deviceKeys.slots(device.userId),
            UpdateExpression: 'SET #held = if_not_exists(#held, :zero) + :one, #entity = :entity',
            ConditionExpression: 'attribute_not_exists(#held) OR #held < :max',
            ExpressionAttributeNames: { '#held': 'held', '#entity': TABLE.entityAttribute },
            ExpressionAttributeValues: {
              ':zero': 0,
              ':one': 1,
              ':max': maxDevices,
              ':entity': 'DeviceSlots',
            },
          },
        },
        claimName(device, device.name),
        {
          Put: {
            TableName: tableName,
            Item: {
              ...deviceKeys.device(device.userId, device.id),
              [TABLE.entityAttribute]: 'Device',
              ...device,
              ...(device.pendingUntil ? { [TABLE.ttlAttribute]: pendingTtl(device.pendingUntil) } : {}),
            },
            ...itemIsNew,
          },
        },
        ...(approval ? approvalItems(device, approval.hourlyCap, approval.now) : []),
        // Last: the cancellation reasons above keep their positions.
        ...events.map((event) => outboxPut(tableName, event)),
      ]);
      return 'applied' as const;
    } catch (error) {
      const codes = conflictOn(error);
      if (codes[5] === FAILED) return 'approvals_blocked' as const;
      if (codes[4] === FAILED) return 'approval_hourly_cap' as const;
      if (codes[3] === FAILED) return 'lane_taken' as const;
      if (codes[0] === FAILED) return 'limit_reached' as const;
      if (codes[1] === FAILED) return 'name_taken' as const;
      throw error;
    }
  }

  async function approvalLanes(userId: string) {
    return (await queryPrefix(doc, tableName, `USER#${userId}`, deviceKeys.approvalLanePrefix)).map(
      (item) => ({
        lane: Number(String(item[SK]).slice(deviceKeys.approvalLanePrefix.length)),
        deviceId: String(item.deviceId),
        until: String(item.until),
      }),
    );
  }

  async function approvalsBlockedUntil(userId: string) {
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: deviceKeys.approvalBlock(userId), ConsistentRead: true }),
    );
    return typeof Item?.until === 'string' ? Item.until : undefined;
  }

  async function blockApprovals(userId: string, until: string) {
    // Only ever extends a block: a shorter, later report cannot shorten an earlier, longer one.
    await conditionalUpdate({
      Key: deviceKeys.approvalBlock(userId),
      UpdateExpression: 'SET #until = :until, #ttl = :ttl, #entity = :entity',
      ConditionExpression: 'attribute_not_exists(#until) OR #until < :until',
      ExpressionAttributeNames: {
        '#until': 'until',
        '#ttl': TABLE.ttlAttribute,
        '#entity': TABLE.entityAttribute,
      },
      ExpressionAttributeValues: {
        ':until': until,
        ':ttl': epochSeconds(until) + 3600,
        ':entity': 'ApprovalBlock',
      },
    });
  }

  const conditionalUpdate = (input: UpdateInput) => update(doc, tableName, input);

  /** Still waiting for this very code, with attempts left and time left. */
  const codeIsLive = {
    ConditionExpression:
      '#status = :pending AND #code.#hash = :hash AND #code.#attempts < :max AND #code.#codeExpiresAt > :now',
    names: {
      '#status': 'status',
      '#code': 'code',
      '#hash': 'hash',
      '#attempts': 'attempts',
      '#codeExpiresAt': 'expiresAt',
    },
  };

  /** The user's run of wrong codes is under the budget, or its last failure is before `since`. */
  const budgetLeft = (userId: string, budget: { budget: number; since: Date }) => ({
    ConditionCheck: {
      TableName: tableName,
      Key: deviceKeys.slots(userId),
      ConditionExpression: 'attribute_not_exists(#failures) OR #failures < :budget OR #last <= :since',
      ExpressionAttributeNames: { '#failures': 'codeFailures', '#last': 'lastCodeFailureAt' },
      ExpressionAttributeValues: { ':budget': budget.budget, ':since': budget.since.toISOString() },
    },
  });

  async function trustWithCode(
    device: Device,
    maxAttempts: number,
    now: Date,
    userBudget: { budget: number; since: Date },
  ) {
    try {
      await transact([
        {
          Update: {
            TableName: tableName,
            Key: deviceKeys.device(device.userId, device.id),
            UpdateExpression:
              'SET #status = :trusted, #trustedAt = :now, #updatedAt = :now REMOVE #code, #pendingUntil, #ttl',
            ConditionExpression: codeIsLive.ConditionExpression,
            ExpressionAttributeNames: {
              ...codeIsLive.names,
              '#trustedAt': 'trustedAt',
              '#updatedAt': 'updatedAt',
              '#pendingUntil': 'pendingUntil',
              '#ttl': TABLE.ttlAttribute,
            },
            ExpressionAttributeValues: {
              ':pending': 'pending_verification',
              ':trusted': 'trusted',
              ':hash': device.code?.hash ?? '',
              ':max': maxAttempts,
              ':now': now.toISOString(),
            },
          },
        },
        // A locked-out user's right code is refused in the same write that would trust the device.
        budgetLeft(device.userId, userBudget),
      ]);
      return 'applied' as const;
    } catch (error) {
      const codes = conflictOn(error);
      return codes[1] === FAILED ? ('locked_out' as const) : ('conflict' as const);
    }
  }

  async function recordWrongCode(device: Device, maxAttempts: number, now: Date) {
    const result = await conditionalUpdate({
      Key: deviceKeys.device(device.userId, device.id),
      UpdateExpression: 'SET #code.#attempts = #code.#attempts + :one',
      ConditionExpression: codeIsLive.ConditionExpression,
      ExpressionAttributeNames: codeIsLive.names,
      ExpressionAttributeValues: {
        ':pending': 'pending_verification',
        ':hash': device.code?.hash ?? '',
        ':max': maxAttempts,
        ':now': now.toISOString(),
        ':one': 1,
      },
      ReturnValues: 'ALL_NEW',
    });
    return result?.Attributes
      ? (toDevice(result.Attributes).code?.attempts ?? maxAttempts)
      : ('conflict' as const);
  }

  async function replaceCode(
    device: Device,
    code: DeviceCode,
    limits: { cooldownSeconds: number; hourlyCap: number },
    now: Date,
    events: DomainEvent[] = [],
  ): Promise<ResendOutcome> {
    const hour = Math.floor(now.getTime() / 3_600_000);
    const cooldownEdge = new Date(now.getTime() - limits.cooldownSeconds * 1000).toISOString();
    try {
      await transact([
        {
          Update: {
            TableName: tableName,
            Key: deviceKeys.device(device.userId, device.id),
            UpdateExpression: 'SET #code = :code, #updatedAt = :now',
            // The old code dies with this write; the cooldown is part of the same condition.
            ConditionExpression: '#status = :pending AND #pendingUntil > :now AND #code.#sentAt <= :edge',
            ExpressionAttributeNames: {
              '#status': 'status',
              '#pendingUntil': 'pendingUntil',
              '#code': 'code',
              '#sentAt': 'sentAt',
              '#updatedAt': 'updatedAt',
            },
            ExpressionAttributeValues: {
              ':pending': 'pending_verification',
              ':now': now.toISOString(),
              ':edge': cooldownEdge,
              ':code': code,
            },
          },
        },
        countInHour(deviceKeys.sends(device.userId, hour), limits.hourlyCap, hour, 'CodeSends'),
        ...events.map((event) => outboxPut(tableName, event)),
      ]);
      return 'applied';
    } catch (error) {
      const codes = conflictOn(error);
      if (codes[0] === FAILED) return 'conflict';
      if (codes[1] === FAILED) return 'hourly_cap';
      throw error;
    }
  }

  async function approve(device: Device, now: Date): Promise<WriteOutcome> {
    try {
      await transact([
        {
          Update: {
            TableName: tableName,
            Key: deviceKeys.device(device.userId, device.id),
            UpdateExpression:
              'SET #status = :trusted, #trustedAt = :now, #updatedAt = :now ' +
              'REMOVE #pendingUntil, #ttl, #numberToMatch, #candidates, #lane',
            // The number was checked against what was read; the request must still be that one.
            ConditionExpression: '#status = :pending AND #pendingUntil > :now',
            ExpressionAttributeNames: {
              '#status': 'status',
              '#trustedAt': 'trustedAt',
              '#updatedAt': 'updatedAt',
              '#pendingUntil': 'pendingUntil',
              '#ttl': TABLE.ttlAttribute,
              '#numberToMatch': 'numberToMatch',
              '#candidates': 'candidates',
              '#lane': 'approvalLane',
            },
            ExpressionAttributeValues: {
              ':pending': 'pending_approval',
              ':trusted': 'trusted',
              ':now': now.toISOString(),
            },
          },
        },
        ...releaseLane(device),
      ]);
      return 'applied';
    } catch (error) {
      conflictOn(error);
      return 'conflict';
    }
  }

  async function switchToCode(
    device: Device,
    code: DeviceCode,
    pendingUntil: string,
    limits: { hourlyCap: number },
    now: Date,
    events: DomainEvent[] = [],
  ): Promise<ResendOutcome> {
    const hour = Math.floor(now.getTime() / 3_600_000);
    try {
      await transact([
        {
          Update: {
            TableName: tableName,
            Key: deviceKeys.device(device.userId, device.id),
            UpdateExpression:
              'SET #status = :verification, #method = :emailCode, #code = :code, #pendingUntil = :until, ' +
              '#ttl = :ttl, #updatedAt = :now REMOVE #numberToMatch, #candidates, #lane',
            // Still the same waiting request: not denied, reported, approved or expired meanwhile.
            ConditionExpression: '#status = :pending AND #pendingUntil > :now',
            ExpressionAttributeNames: {
              '#status': 'status',
              '#method': 'verificationMethod',
              '#code': 'code',
              '#pendingUntil': 'pendingUntil',
              '#ttl': TABLE.ttlAttribute,
              '#updatedAt': 'updatedAt',
              '#numberToMatch': 'numberToMatch',
              '#candidates': 'candidates',
              '#lane': 'approvalLane',
            },
            ExpressionAttributeValues: {
              ':verification': 'pending_verification',
              ':emailCode': 'email_code',
              ':pending': 'pending_approval',
              ':code': code,
              ':until': pendingUntil,
              ':ttl': pendingTtl(pendingUntil),
              ':now': now.toISOString(),
            },
          },
        },
        countInHour(deviceKeys.sends(device.userId, hour), limits.hourlyCap, hour, 'CodeSends'),
        ...releaseLane(device),
        ...events.map((event) => outboxPut(tableName, event)),
      ]);
      return 'applied';
    } catch (error) {
      const codes = conflictOn(error);
      if (codes[0] === FAILED) return 'conflict';
      if (codes[1] === FAILED) return 'hourly_cap';
      return 'conflict';
    }
  }

  /** Leaving the slot-holding statuses: the status change, the slot and the name go together. */
  function retireItem(device: Device, status: 'denied' | 'disabled' | 'expired', now: Date) {
    const window =
      status === 'denied'
        ? ' AND #pendingUntil > :now'
        : status === 'expired'
          ? ' AND #pendingUntil <= :now'
          : '';
    return {
      Update: {
        TableName: tableName,
        Key: deviceKeys.device(device.userId, device.id),
        UpdateExpression:
          'SET #status = :status, #updatedAt = :now, #ttl = :ttl REMOVE #code, #numberToMatch',
        ConditionExpression: `#status = :current${window}`,
        ExpressionAttributeNames: {
          '#status': 'status',
          '#updatedAt': 'updatedAt',
          '#ttl': TABLE.ttlAttribute,
          '#code': 'code',
          '#numberToMatch': 'numberToMatch',
          ...(window ? { '#pendingUntil': 'pendingUntil' } : {}),
        },
        ExpressionAttributeValues: {
          ':status': status,
          ':current': device.status,
          ':now': now.toISOString(),
          ':ttl': historyTtl(now),
        },
      },
    };
  }

  async function retire(
    device: Device,
    status: 'denied' | 'disabled' | 'expired',
    now: Date,
    events: DomainEvent[] = [],
  ): Promise<WriteOutcome> {
    const items: unknown[] = [retireItem(device, status, now), ...events.map((e) => outboxPut(tableName, e))];
    if (wasTrusted(device)) items.push(dropPushEntries(device.userId, [device]));
    if (holdsSlot(device.status)) items.push(releaseSlots(device.userId, 1), releaseName(device));
    // An expired request's lane is free already (its `until` has passed) and may belong to a newer
    // request by now: deleting it under the old holder's condition would cancel this whole retirement.
    if (device.status === 'pending_approval' && status !== 'expired') items.push(...releaseLane(device));
    try {
      await transact(items);
      return 'applied';
    } catch (error) {
      conflictOn(error);
      return 'conflict';
    }
  }

  async function rename(device: Device, name: string, now: Date, flags?: string[]) {
    const update = {
      Update: {
        TableName: tableName,
        Key: deviceKeys.device(device.userId, device.id),
        UpdateExpression: `SET #name = :name, #updatedAt = :now${flags ? ', #flags = :flags' : ''}`,
        ConditionExpression: '#status = :current AND #name = :old',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#name': 'name',
          '#updatedAt': 'updatedAt',
          ...(flags ? { '#flags': 'flags' } : {}),
        },
        ExpressionAttributeValues: {
          ':name': name,
          ':old': device.name,
          ':current': device.status,
          ':now': now.toISOString(),
          ...(flags ? { ':flags': flags } : {}),
        },
      },
    };
    // Only the case or spacing changes: the claim stays the same item.
    const sameClaim = nameKey(name) === nameKey(device.name);
    try {
      await transact(sameClaim ? [update] : [update, releaseName(device), claimName(device, name)]);
      return 'applied' as const;
    } catch (error) {
      const codes = conflictOn(error);
      if (codes[2] === FAILED) return 'name_taken' as const;
      return 'conflict' as const;
    }
  }

  async function deprovisionUser(
    user: User,
    devices: Device[],
    now: Date,
    events: DomainEvent[] = [],
    keepOwnerId?: string,
  ): Promise<WriteOutcome> {
    const items: unknown[] = [
      {
        Update: {
          TableName: tableName,
          Key: userKeys.user(user.id),
          UpdateExpression: 'SET #status = :deprovisioned, #updatedAt = :now',
          ConditionExpression: '#status = :active',
          ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: {
            ':deprovisioned': 'deprovisioned',
            ':active': 'active',
            ':now': now.toISOString(),
          },
        },
      },
      ...disableAllItems(user.id, devices, now, events),
      ...(keepOwnerId
        ? [
            {
              ConditionCheck: {
                TableName: tableName,
                Key: userKeys.user(keepOwnerId),
                ...isActiveOwnerOf(user.workspaceId),
              },
            },
          ]
        : []),
    ];
    try {
      await transact(items);
      return 'applied';
    } catch (error) {
      conflictOn(error);
      return 'conflict';
    }
  }

  /** Every device disabled with its slot and name released, and the outbox events, as one list. */
  function disableAllItems(userId: string, devices: Device[], now: Date, events: DomainEvent[]) {
    return [
      ...devices.flatMap((device) => [retireItem(device, 'disabled', now), releaseName(device)]),
      ...(devices.length ? [releaseSlots(userId, devices.length)] : []),
      ...(devices.some(wasTrusted) ? [dropPushEntries(userId, devices)] : []),
      ...events.map((e) => outboxPut(tableName, e)),
    ];
  }

  async function disableAll(
    userId: string,
    devices: Device[],
    now: Date,
    events: DomainEvent[] = [],
  ): Promise<WriteOutcome> {
    const items = disableAllItems(userId, devices, now, events);
    if (items.length === 0) return 'applied';
    try {
      await transact(items);
      return 'applied';
    } catch (error) {
      conflictOn(error);
      return 'conflict';
    }
  }

  const setFailures = (userId: string, expression: string, values: Record<string, number | string>) =>
    doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: deviceKeys.slots(userId),
        UpdateExpression: expression,
        ExpressionAttributeNames: {
          '#failures': 'codeFailures',
          ...(expression.includes('#last') ? { '#last': 'lastCodeFailureAt' } : {}),
        },
        ExpressionAttributeValues: values,
      }),
    );

  async function setPush(device: Device, push: PushRegistration, now: Date): Promise<WriteOutcome> {
    try {
      await transact([
        {
          Update: {
            TableName: tableName,
            Key: deviceKeys.device(device.userId, device.id),
            UpdateExpression: 'SET #push = :push, #updatedAt = :now',
            ConditionExpression: '#status = :trusted',
            ExpressionAttributeNames: { '#push': 'push', '#updatedAt': 'updatedAt', '#status': 'status' },
            ExpressionAttributeValues: { ':push': push, ':now': now.toISOString(), ':trusted': 'trusted' },
          },
        },
        pushDevicesUpdate(tableName, device.userId, [
          { deviceId: device.id, entry: pushEntry({ ...device, status: 'trusted', push }) },
        ]),
      ]);
      return 'applied';
    } catch (error) {
      conflictOn(error);
      return 'conflict';
    }
  }

  async function setPublicKey(device: Device, key: DevicePublicKey, now: Date): Promise<WriteOutcome> {
    // Only a device still trusted takes a key: a disabled one must not come back as a grant target.
    const result = await conditionalUpdate({
      Key: deviceKeys.device(device.userId, device.id),
      UpdateExpression: 'SET #publicKey = :key, #updatedAt = :now',
      ConditionExpression: '#status = :trusted',
      ExpressionAttributeNames: { '#publicKey': 'publicKey', '#updatedAt': 'updatedAt', '#status': 'status' },
      ExpressionAttributeValues: { ':key': key, ':now': now.toISOString(), ':trusted': 'trusted' },
    });
    return result ? 'applied' : 'conflict';
  }

  async function claimPushToken(tokenHash: string, owner: { userId: string; deviceId: string }) {
    // The latest registration wins: the token is on that device now, whatever held it before.
    const { Attributes } = await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...deviceKeys.pushToken(tokenHash), [TABLE.entityAttribute]: 'PushToken', ...owner },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes
      ? { userId: String(Attributes.userId), deviceId: String(Attributes.deviceId) }
      : undefined;
  }

  async function pushTokenOwner(tokenHash: string) {
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: deviceKeys.pushToken(tokenHash), ConsistentRead: true }),
    );
    return Item ? { userId: String(Item.userId), deviceId: String(Item.deviceId) } : undefined;
  }

  /**
   * Turns a device's push registration off (and drops its endpoint when `dropEndpoint`), while it is
   * still the registration `matches` describes, with its entry in the user's push-devices item in the
   * same transaction. The entry is computed from the device as read, so the write is conditioned on
   * what the entry depends on (status, platform) not having moved; a moved one is read again.
   */
  async function deactivatePush(
    userId: string,
    deviceId: string,
    matches: { attribute: 'tokenHash' | 'endpointArn'; value: string },
    change: { reason: string; dropEndpoint: boolean },
  ) {
    for (let attempt = 0; attempt < 3; attempt++) {
      const device = await getDevice(userId, deviceId);
      if (!device?.push || device.push[matches.attribute] !== matches.value) return;
      const { endpointArn: _dropped, ...kept } = device.push;
      const push = { ...(change.dropEndpoint ? kept : device.push), active: false };
      try {
        await transact([
          {
            Update: {
              TableName: tableName,
              Key: deviceKeys.device(userId, deviceId),
              UpdateExpression: `SET #push.#active = :false, #push.#reason = :reason${change.dropEndpoint ? ' REMOVE #push.#endpointArn' : ''}`,
              ConditionExpression:
                '#push.#match = :match AND #push.#platform = :platform AND #status = :status',
              ExpressionAttributeNames: {
                '#push': 'push',
                '#active': 'active',
                '#reason': 'inactiveReason',
                '#match': matches.attribute,
                '#platform': 'platform',
                '#status': 'status',
                ...(change.dropEndpoint ? { '#endpointArn': 'endpointArn' } : {}),
              },
              ExpressionAttributeValues: {
                ':false': false,
                ':reason': change.reason,
                ':match': matches.value,
                ':platform': device.push.platform,
                ':status': device.status,
              },
            },
          },
          pushDevicesUpdate(tableName, userId, [{ deviceId, entry: pushEntry({ ...device, push }) }]),
        ]);
        return;
      } catch (error) {
        conflictOn(error);
      }
    }
  }

  async function releasePushToken(userId: string, deviceId: string, tokenHash: string) {
    // Only if that device still holds this very token (it may have registered a new one since).
    await deactivatePush(
      userId,
      deviceId,
      { attribute: 'tokenHash', value: tokenHash },
      { reason: 'token_moved', dropEndpoint: true },
    );
  }

  async function markPushInactive(userId: string, deviceId: string, endpointArn: string, reason: string) {
    // Only the registration that failed: a newer one (another endpoint) stays active.
    await deactivatePush(
      userId,
      deviceId,
      { attribute: 'endpointArn', value: endpointArn },
      { reason, dropEndpoint: false },
    );
  }

  const pushDevices = makePushDevicesReader(doc, tableName, listDevices);

  return {
    pushDevices,
    setPush,
    setPublicKey,
    claimPushToken,
    pushTokenOwner,
    releasePushToken,
    markPushInactive,
    listDevices,
    getDevice,
    create,
    trustWithCode,
    recordWrongCode,
    replaceCode,
    approve,
    switchToCode,
    approvalLanes,
    approvalsBlockedUntil,
    blockApprovals,
    retire,
    rename,
    touch: reads.touch,
    deprovisionUser,
    disableAll,
    recordCodeFailure: async (userId, budget, now, since) => {
      const names = { '#failures': 'codeFailures', '#last': 'lastCodeFailureAt' };
      const values = { ':one': 1, ':now': now.toISOString(), ':since': since.toISOString() };
      // Count and check in one write: concurrent wrong codes cannot all pass a check made before any
      // of them was counted.
      const continueRun = () =>
        conditionalUpdate({
          Key: deviceKeys.slots(userId),
          UpdateExpression: 'SET #failures = #failures + :one, #last = :now',
          ConditionExpression: 'attribute_exists(#failures) AND #last > :since AND #failures < :budget',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ':budget': budget },
        });
      if (await continueRun()) return true;
      // No run yet, or the last failure is older than the lockout window: a new run starts at one.
      const restarted = await conditionalUpdate({
        Key: deviceKeys.slots(userId),
        UpdateExpression: 'SET #failures = :one, #last = :now',
        ConditionExpression:
          'attribute_not_exists(#failures) OR attribute_not_exists(#last) OR #last <= :since',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
      // A concurrent failure may have restarted the run first: then this one continues it.
      return restarted !== undefined || (await continueRun()) !== undefined;
    },
    resetCodeFailures: async (userId) => {
      await setFailures(userId, 'SET #failures = :zero', { ':zero': 0 });
    },
  };
}
