import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import { LOCAL_TABLE_NAME, type LocalStack } from '../../local/stack';
import { issueScimToken } from '../../shared/domain/identity/use-cases';
import type { User } from '../../shared/domain/users/model';
import { httpRuntime } from '../../shared/runtime/http';
import { trustedWebSession } from '../support/e2e-devices';
import { client } from './client';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

describe('continuity of access over HTTP', () => {
  let stack: LocalStack;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    stack = await bootInMemoryStack({ quiet: true, env: { POWERTOOLS_LOG_LEVEL: 'ERROR' } });
    api = client(stack);
  });
  afterAll(() => stack?.stop());

  /** A bootstrapped workspace, open to its own domain, with its SCIM token. */
  async function workspace() {
    const name = `cont-${randomUUID().slice(0, 8)}`;
    const ownerEmail = `owner-${randomUUID().slice(0, 6)}@${name}.example`;
    await api.bootstrap(name, ownerEmail, [`${name}.example`]);
    const owner = await trustedWeb(ownerEmail, name);
    const me = (await api.call('GET', '/v1/me', { token: owner.token })).body.user as User;
    const { token } = await issueScimToken(me, httpRuntime().deps);
    api.secrets.add(token);
    const scim = (method: string, path: string, body?: unknown) =>
      api.call(method, `/scim/v2${path}`, {
        rawBody: body === undefined ? undefined : JSON.stringify(body),
        type: 'application/scim+json',
        token,
      } as never);
    const email = (label: string) => `${label}-${randomUUID().slice(0, 6)}@${name}.example`;
    return { name, owner, ownerEmail, scim, email };
  }

  async function trustedWeb(email: string, workspaceName: string) {
    const session = await trustedWebSession(api, email, { workspace: workspaceName });
    const me = (await api.call('GET', '/v1/me', { token: session.token })).body.user as User;
    return { token: session.token, device: session.credential, id: me.id, email };
  }

  type Session = Awaited<ReturnType<typeof trustedWeb>>;
  const as = (who: Session) => ({ token: who.token, device: who.device });
  const deactivate = (ws: Awaited<ReturnType<typeof workspace>>, userId: string) =>
    ws.scim('PATCH', `/Users/${userId}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });

  it('lists the account a SCIM-deprovisioned sole owner leaves behind until an admin names a new owner', async () => {
    const ws = await workspace();
    const leaverEmail = ws.email('leaver');
    const provisioned = await ws.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: leaverEmail });
    const leaver = await trustedWeb(leaverEmail, ws.name);
    const heir = await trustedWeb(ws.email('heir'), ws.name);
    const plain = await trustedWeb(ws.email('plain'), ws.name);
    const created = await api.call('POST', '/v1/accounts', {
      ...as(leaver),
      body: { appName: 'Ads Console', username: 'ads@app.example', password: 'p@ss-Word-42' },
    });
    const accountId = created.body.account.id as string;
    const kept = await api.call('POST', '/v1/accounts', {
      ...as(ws.owner),
      body: { appName: 'Kept', username: 'kept@app.example', password: 'p@ss-Word-42' },
    });
    const list = (who: Session, query = '') =>
      api.call('GET', `/v1/workspace/orphaned-accounts${query}`, as(who));
    const assign = (who: Session, id: string, body: unknown) =>
      api.call('PUT', `/v1/workspace/orphaned-accounts/${id}/owner`, { ...as(who), body });

    const before = await list(ws.owner);
    const deprovisioned = await deactivate(ws, provisioned.body.id);
    const listed = await list(ws.owner);
    const asUser = await list(plain);
    const badCursor = await list(ws.owner, '?cursor=bm9wZQ.00');
    const badLimit = await list(ws.owner, '?limit=0');
    const noBody = await assign(ws.owner, accountId, {});
    const toLeaver = await assign(ws.owner, accountId, { userId: leaver.id });
    const toNobody = await assign(ws.owner, accountId, { userId: 'usr_nobody' });
    const notOrphaned = await assign(ws.owner, kept.body.account.id, { userId: heir.id });
    const byUser = await assign(plain, accountId, { userId: plain.id });
    const heirBefore = await api.call('GET', `/v1/accounts/${accountId}`, as(heir));
    const assigned = await assign(ws.owner, accountId, { userId: heir.id });
    const again = await assign(ws.owner, accountId, { userId: plain.id });
    const after = await list(ws.owner);
    const heirAfter = await api.call('GET', `/v1/accounts/${accountId}`, as(heir));
    const members = await api.call('GET', `/v1/accounts/${accountId}/members`, as(heir));

    expect(created.status).toBe(201);
    expect(before.body).toEqual({ items: [], nextCursor: null });
    expect(deprovisioned.status).toBe(200);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        accountId,
        appName: 'Ads Console',
        formerOwners: [
          expect.objectContaining({ id: leaver.id, email: leaverEmail, status: 'deprovisioned' }),
        ],
      }),
    ]);
    expect(asUser).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(badCursor).toMatchObject({ status: 400, body: { error: 'invalid_cursor' } });
    expect(badLimit.status).toBe(400);
    expect(noBody.status).toBe(400);
    expect(toLeaver).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(toNobody).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(notOrphaned).toMatchObject({ status: 409, body: { error: 'account_not_orphaned' } });
    expect(byUser).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(heirBefore.status).toBe(404);
    expect(assigned.status).toBe(200);
    expect(assigned.body.member).toMatchObject({ userId: heir.id, role: 'owner' });
    expect(again).toMatchObject({ status: 409, body: { error: 'account_not_orphaned' } });
    expect(after.body.items).toEqual([]);
    expect(heirAfter.status).toBe(200);
    expect(
      members.body.items.map((m: { userId: string; role: string }) => [m.userId, m.role]).sort(),
    ).toEqual(
      [
        [heir.id, 'owner'],
        [leaver.id, 'owner'],
      ].sort(),
    );
  });

  it('alerts the admins when the IdP deprovisions the last owner, and the bootstrap command names a new one', async () => {
    const ws = await workspace();
    const admin = await trustedWeb(ws.email('admin'), ws.name);
    const madeAdmin = await api.call('PUT', `/v1/users/${admin.id}/role`, {
      ...as(ws.owner),
      body: { role: 'admin' },
    });
    const apiRefusal = await api.call('POST', `/v1/users/${ws.owner.id}/deprovision`, as(admin));

    const deprovisioned = await deactivate(ws, ws.owner.id);
    const retried = await deactivate(ws, ws.owner.id);
    const notifications = await api.call('GET', '/v1/me/notifications', as(admin));
    const mailed = (await stack.sentEmails()).filter(
      (email) =>
        email.subject === 'Latchkey: your workspace has no owner' &&
        email.destination.to.includes(admin.email),
    );
    const port = new URL(stack.dynamodbEndpoint).port;
    const run = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/bootstrap.ts',
        '--workspace',
        ws.name,
        '--owner-email',
        admin.email.toUpperCase(),
        '--local',
      ],
      { env: { ...process.env, DYNAMODB_PORT: port }, timeout: 60_000 },
    );
    const me = await api.call('GET', '/v1/me', { token: admin.token });

    expect(stack.tableName).toBe(LOCAL_TABLE_NAME);
    expect(madeAdmin.status).toBe(200);
    expect(apiRefusal).toMatchObject({ status: 403 });
    expect(deprovisioned.status).toBe(200);
    expect(retried.status).toBe(200);
    const lost = notifications.body.items.filter((n: { type: string }) => n.type === 'workspace_owner_lost');
    expect(lost).toHaveLength(1);
    expect(lost[0].data).toEqual({ userId: ws.owner.id });
    // The same alert by email (outbox, relay, SES emulator), once despite the retried deprovisioning.
    expect(mailed).toHaveLength(1);
    expect(mailed[0]?.body.text).toContain('the last active owner of your Latchkey workspace');
    expect(JSON.parse(run.stdout)).toMatchObject({ owner: admin.email, outcome: 'owner_promoted' });
    expect(me.body.user).toMatchObject({ id: admin.id, workspaceRole: 'owner' });
  });
});
