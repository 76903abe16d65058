import { randomUUID } from 'node:crypto';
import type { Device } from '../../shared/domain/devices/model';
import { NotProvisionedError } from '../../shared/domain/errors';
import { type DomainEvent, MAIL_EVENT } from '../../shared/domain/events';
import type {
  MailOutbox,
  OutgoingEmail,
  ProvisionUserInput,
  UserRepository,
} from '../../shared/domain/ports';
import type { CallerIdentity, User } from '../../shared/domain/users/model';

/** An in-memory UserRepository for use-case unit tests (integration tests use DynamoDB Local). */
export function fakeUserRepository(initial: User[] = []) {
  const users = new Map(initial.map((user) => [user.id, user]));
  const identities = new Map<string, string>();
  const workspaces = new Map<string, string>();
  const provisionCalls: ProvisionUserInput[] = [];
  const key = (issuer: string, subject: string) => `${issuer}\n${subject}`;
  const repository: UserRepository = {
    findUserIdByIdentity: async (issuer, subject) => identities.get(key(issuer, subject)),
    getUser: async (userId) => users.get(userId),
    findWorkspaceByName: async (name) => {
      const id = workspaces.get(name);
      return id ? { id, name, createdAt: '2026-01-01T00:00:00.000Z' } : undefined;
    },
    provision: async (input) => {
      provisionCalls.push(input);
      const existingWorkspace = workspaces.get(input.identity.workspaceName);
      const workspaceId = existingWorkspace ?? input.newWorkspaceId;
      if (!workspaceId) throw new NotProvisionedError();
      workspaces.set(input.identity.workspaceName, workspaceId);
      const at = input.now.toISOString();
      const user: User = {
        id: input.userId,
        workspaceId,
        email: input.identity.email,
        name: input.identity.name,
        workspaceRole: existingWorkspace ? input.role : 'owner',
        status: 'active',
        createdAt: at,
        updatedAt: at,
      };
      users.set(user.id, user);
      identities.set(key(input.identity.issuer, input.identity.subject), user.id);
      return {
        user,
        workspace: { id: workspaceId, name: input.identity.workspaceName, createdAt: at },
        created: true,
      };
    },
    updateName: async (userId, name, now) => {
      const user = users.get(userId);
      if (!user) throw new Error('no such user');
      const updated = { ...user, name, updatedAt: now.toISOString() };
      users.set(userId, updated);
      return updated;
    },
  };
  return {
    repository,
    users,
    identities,
    workspaces,
    provisionCalls,
    link: (identity: CallerIdentity, userId: string) =>
      identities.set(key(identity.issuer, identity.subject), userId),
  };
}

export function fixedClock(iso = '2026-11-23T12:00:00.000Z') {
  let now = new Date(iso);
  return { now: () => now, set: (next: string) => (now = new Date(next)) };
}

export function sequentialIds() {
  let n = 0;
  return (prefix: string) => `${prefix}_${++n}`;
}

export function aUser(overrides: Partial<User> = {}): User {
  return {
    id: 'usr_1',
    workspaceId: 'ws_1',
    email: 'alice@acme.example',
    name: 'Alice',
    workspaceRole: 'owner',
    status: 'active',
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    ...overrides,
  };
}

export function aDevice(overrides: Partial<Device> = {}): Device {
  return {
    id: 'dev_1',
    userId: 'usr_1',
    workspaceId: 'ws_1',
    clientType: 'web',
    os: 'macOS',
    browser: 'Chrome',
    name: 'alice - macOS/Chrome',
    status: 'trusted',
    verificationMethod: 'email_code',
    credentialHash: 'ab'.repeat(32),
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    lastSeenAt: '2026-11-01T00:00:00.000Z',
    trustedAt: '2026-11-01T00:00:00.000Z',
    ...overrides,
  };
}

/**
 * The mail outbox of use-case tests: each event carries its email in the clear (no keyring), and
 * `emails` lists what the relay would send: the emails of events a wrapped repository write took
 * and committed ('applied'). A refused write sends nothing, as in production.
 */
export function mailOnCommit() {
  const emails: OutgoingEmail[] = [];
  const mailOutbox: MailOutbox = {
    event: async (email) => ({
      // Unique across runs: the outbox item's condition refuses an event id written before.
      id: `evt-mail-${randomUUID()}`,
      type: MAIL_EVENT,
      occurredAt: new Date(0).toISOString(),
      workspaceId: '',
      detail: { email },
    }),
  };
  /** `repository` with `methods` wrapped: their committed mail events land in `emails`. */
  function deliverFrom<T extends object>(repository: T, methods: Array<keyof T>): T {
    const wrapped = { ...repository };
    for (const name of methods) {
      const original = repository[name] as unknown as (...args: unknown[]) => Promise<unknown>;
      (wrapped as Record<keyof T, unknown>)[name] = async (...args: unknown[]) => {
        const outcome = await original(...args);
        if (outcome === 'applied') {
          for (const arg of args) {
            if (!Array.isArray(arg)) continue;
            for (const event of arg as DomainEvent[])
              if (event?.type === MAIL_EVENT) emails.push(event.detail.email as OutgoingEmail);
          }
        }
        return outcome;
      };
    }
    return wrapped;
  }
  return { emails, mailOutbox, deliverFrom };
}
