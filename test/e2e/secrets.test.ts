import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import type { LocalStack } from '../../local/stack';
import { issueScimToken } from '../../shared/domain/identity/use-cases';
import type { User } from '../../shared/domain/users/model';
import { httpRuntime } from '../../shared/runtime/http';
import { trustedUser } from '../support/e2e-devices';
import { captureLogs } from '../support/http-event';
import { client, storedItems } from './client';

describe('vaults and secrets over HTTP', () => {
  let stack: LocalStack;
  let api: ReturnType<typeof client>;
  const logs = captureLogs();
  /** Every secret value the suite writes: none may appear in the table or the logs. */
  const values = new Set<string>();

  beforeAll(async () => {
    stack = await bootInMemoryStack({ quiet: true, env: { POWERTOOLS_LOG_LEVEL: 'INFO' } });
    api = client(stack);
  });
  afterAll(async () => {
    logs.restore();
    await stack?.stop();
  });

  const value = (label: string) => {
    const v = `${label}-${randomUUID()}`;
    values.add(v);
    return v;
  };

  /** A member of `workspace`; the one named `owner` is the owner it is bootstrapped with. */
  const member = async (workspace: string, name: string) => {
    const email = `${name}-${randomUUID().slice(0, 6)}@acme.example`;
    if (name === 'owner') await api.bootstrap(workspace, email);
    return trustedUser(api, email, workspace);
  };
  type Member = Awaited<ReturnType<typeof member>>;

  const as = (user: Member, options: { body?: unknown; confirmation?: string } = {}) => ({
    token: user.token,
    device: user.web,
    ...options,
  });

  /** Answers a challenge from the user's phone with the number the requesting screen shows. */
  async function approve(user: Member, challenge: { id: string; numberToMatch: string }) {
    const approved = await api.call('POST', `/v1/identity-challenges/${challenge.id}/approve`, {
      token: user.token,
      device: user.phone,
      body: { number: challenge.numberToMatch },
    });
    expect(approved.status).toBe(200);
    return challenge.id;
  }

  /** The confirmed flow: 403 with a challenge, approval by push, the retry with the approved challenge. */
  async function confirmed(user: Member, method: string, path: string, body?: unknown) {
    const first = await api.call(method, path, as(user, { body }));
    expect(first, `${method} ${path} asks for confirmation`).toMatchObject({
      status: 403,
      body: { error: 'identity_confirmation_required' },
    });
    const challengeId = await approve(user, first.body.challenge);
    const retried = await api.call(method, path, as(user, { body, confirmation: challengeId }));
    return { first, retried, challengeId, action: first.body.challenge.action as string };
  }

  async function vaultWithSecret(owner: Member) {
    const vault = await confirmed(owner, 'POST', '/v1/vaults', { name: 'Marketing' });
    const vaultId = vault.retried.body.vault.id as string;
    const secret = await api.call(
      'POST',
      `/v1/vaults/${vaultId}/secrets`,
      as(owner, {
        body: {
          name: 'Ads API',
          items: [
            { type: 'api_key', name: 'key', value: value('key') },
            { type: 'note', name: 'how to rotate', value: value('note') },
          ],
        },
      }),
    );
    expect(secret.status).toBe(201);
    return { vaultId, secretId: secret.body.secret.id as string, vault };
  }

  it('creates a vault and a secret under confirmation; lists metadata only; views values', async () => {
    const workspace = `sec-${randomUUID().slice(0, 8)}`;
    const owner = await member(workspace, 'owner');
    const { vaultId, secretId, vault } = await vaultWithSecret(owner);

    const vaults = await api.call('GET', '/v1/vaults', as(owner));
    const list = await api.call('GET', `/v1/vaults/${vaultId}/secrets`, as(owner));
    const viewed = await api.call('GET', `/v1/secrets/${secretId}`, as(owner));

    expect(vault.action).toBe('vault.create');
    expect(vault.retried).toMatchObject({
      status: 201,
      body: { vault: { name: 'Marketing', role: 'manager' } },
    });
    expect(vaults.body.items.map((v: { id: string }) => v.id)).toEqual([vaultId]);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        id: secretId,
        version: 1,
        items: [
          { type: 'api_key', name: 'key' },
          { type: 'note', name: 'how to rotate' },
        ],
      }),
    ]);
    expect(JSON.stringify(list.body)).not.toMatch(/key-|note-/);
    // confirmSecretViews is off by default: the values come without a challenge.
    expect(viewed.status).toBe(200);
    expect(viewed.body.secret.items.map((i: { value: string }) => i.value.split('-')[0])).toEqual([
      'key',
      'note',
    ]);
  });

  it('confirms secret views once confirmSecretViews is on, bound to that secret and that action', async () => {
    const workspace = `sec-${randomUUID().slice(0, 8)}`;
    const owner = await member(workspace, 'owner');
    const { vaultId, secretId } = await vaultWithSecret(owner);
    const other = await api.call(
      'POST',
      `/v1/vaults/${vaultId}/secrets`,
      as(owner, { body: { name: 'Other', items: [{ type: 'login', name: 'pw', value: value('pw') }] } }),
    );
    const setting = await api.call(
      'PUT',
      '/v1/workspace/identity-confirmation',
      as(owner, { body: { confirmSecretViews: true } }),
    );

    const view = await confirmed(owner, 'GET', `/v1/secrets/${secretId}`);
    const otherSecret = await api.call(
      'GET',
      `/v1/secrets/${other.body.secret.id}`,
      as(owner, { confirmation: view.challengeId }),
    );
    const otherAction = await api.call(
      'PATCH',
      `/v1/secrets/${secretId}`,
      as(owner, { body: { name: 'Renamed' }, confirmation: view.challengeId }),
    );

    expect(setting.status).toBe(200);
    expect(view.action).toBe('secret.view');
    expect(view.retried.status).toBe(200);
    expect(otherSecret).toMatchObject({ status: 403, body: { error: 'identity_confirmation_required' } });
    expect(otherAction).toMatchObject({
      status: 403,
      body: { error: 'identity_confirmation_required', challenge: { action: 'secret.edit' } },
    });
  });

  it('edits into versions, shows history and restores an old version as a new one', async () => {
    const workspace = `sec-${randomUUID().slice(0, 8)}`;
    const owner = await member(workspace, 'owner');
    const { secretId } = await vaultWithSecret(owner);
    const original = await api.call('GET', `/v1/secrets/${secretId}`, as(owner));
    const newKey = value('key2');

    const edit = await confirmed(owner, 'PATCH', `/v1/secrets/${secretId}`, {
      items: [{ type: 'api_key', name: 'key', value: newKey }],
    });
    const history = await confirmed(owner, 'GET', `/v1/secrets/${secretId}/history`);
    const restore = await confirmed(owner, 'POST', `/v1/secrets/${secretId}/history/1/restore`);
    const otherVersion = await api.call(
      'POST',
      `/v1/secrets/${secretId}/history/2/restore`,
      as(owner, { confirmation: restore.challengeId }),
    );
    const after = await api.call('GET', `/v1/secrets/${secretId}`, as(owner));
    const badVersion = await api.call('POST', `/v1/secrets/${secretId}/history/0/restore`, as(owner));

    expect([edit.action, history.action, restore.action]).toEqual([
      'secret.edit',
      'secret.history.view',
      'secret.history.restore',
    ]);
    expect(edit.retried).toMatchObject({ status: 200, body: { secret: { version: 2, name: 'Ads API' } } });
    expect(history.retried.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(history.retried.body.items[0].items[0].value).toBe(newKey);
    expect(history.retried.body.items[1].items).toEqual(original.body.secret.items);
    expect(restore.retried).toMatchObject({ status: 200, body: { secret: { version: 3 } } });
    // The approval was for version 1: restoring version 2 asks again.
    expect(otherVersion).toMatchObject({ status: 403, body: { error: 'identity_confirmation_required' } });
    expect(after.body.secret.items).toEqual(original.body.secret.items);
    expect(badVersion).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
  });

  it('moves a secret to a 30-day trash and restores it; a vault with live secrets is not deleted', async () => {
    const workspace = `sec-${randomUUID().slice(0, 8)}`;
    const owner = await member(workspace, 'owner');
    const { vaultId, secretId } = await vaultWithSecret(owner);

    const notEmpty = await confirmed(owner, 'DELETE', `/v1/vaults/${vaultId}`);
    const removed = await confirmed(owner, 'DELETE', `/v1/secrets/${secretId}`);
    const gone = await api.call('GET', `/v1/secrets/${secretId}`, as(owner));
    const live = await api.call('GET', `/v1/vaults/${vaultId}/secrets`, as(owner));
    const trash = await api.call('GET', `/v1/vaults/${vaultId}/secrets?trash=true`, as(owner));
    const restored = await api.call('POST', `/v1/secrets/${secretId}/restore`, as(owner));
    const again = await api.call('POST', `/v1/secrets/${secretId}/restore`, as(owner));
    const back = await api.call('GET', `/v1/secrets/${secretId}`, as(owner));

    expect(notEmpty.retried).toMatchObject({ status: 409, body: { error: 'vault_not_empty' } });
    expect(removed.action).toBe('secret.delete');
    expect(removed.retried.status).toBe(200);
    const days = (Date.parse(removed.retried.body.purgeAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    expect(gone).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(live.body.items).toEqual([]);
    expect(trash.body.items).toEqual([
      expect.objectContaining({ id: secretId, deletedAt: expect.any(String) }),
    ]);
    expect(restored).toMatchObject({ status: 200, body: { secret: { id: secretId } } });
    expect(restored.body.secret.deletedAt).toBeUndefined();
    expect(again).toMatchObject({ status: 409, body: { error: 'not_in_trash' } });
    expect(back.status).toBe(200);

    await api.call('DELETE', `/v1/secrets/${secretId}`, as(owner, { confirmation: removed.challengeId }));
    const emptied = await api.call(
      'DELETE',
      `/v1/vaults/${vaultId}`,
      as(owner, { confirmation: notEmpty.challengeId }),
    );
    const orphan = await api.call('POST', `/v1/secrets/${secretId}/restore`, as(owner));
    expect(emptied).toMatchObject({ status: 200, body: { deleted: true } });
    expect(orphan.status).toBe(404);
  });

  it('grants vault roles and the secret’s own roles; each approval covers one principal', async () => {
    const workspace = `sec-${randomUUID().slice(0, 8)}`;
    const owner = await member(workspace, 'owner');
    const viewer = await member(workspace, 'viewer');
    const outsider = await member(workspace, 'outsider');
    const { vaultId, secretId } = await vaultWithSecret(owner);

    const grant = await confirmed(owner, 'PUT', `/v1/vaults/${vaultId}/members/${viewer.userId}`, {
      role: 'viewer',
    });
    const otherPrincipal = await api.call(
      'PUT',
      `/v1/vaults/${vaultId}/members/${outsider.userId}`,
      as(owner, { body: { role: 'viewer' }, confirmation: grant.challengeId }),
    );
    const viewerReads = await api.call('GET', `/v1/secrets/${secretId}`, as(viewer));
    const viewerEdits = await api.call(
      'PATCH',
      `/v1/secrets/${secretId}`,
      as(viewer, { body: { name: 'x' } }),
    );
    const outsiderReads = await api.call('GET', `/v1/secrets/${secretId}`, as(outsider));
    const share = await confirmed(owner, 'PUT', `/v1/secrets/${secretId}/members/${outsider.userId}`, {
      role: 'editor',
    });
    const outsiderReadsNow = await api.call('GET', `/v1/secrets/${secretId}`, as(outsider));
    const outsiderListsVault = await api.call('GET', `/v1/vaults/${vaultId}/secrets`, as(outsider));
    const vaultMembers = await api.call('GET', `/v1/vaults/${vaultId}/members`, as(viewer));
    const secretMembers = await api.call('GET', `/v1/secrets/${secretId}/members`, as(outsider));
    const lastManager = await confirmed(owner, 'DELETE', `/v1/vaults/${vaultId}/members/${owner.userId}`);
    const unshare = await confirmed(owner, 'DELETE', `/v1/secrets/${secretId}/members/${outsider.userId}`);
    const outsiderAfter = await api.call('GET', `/v1/secrets/${secretId}`, as(outsider));
    // A team id is a principal, but only a team of the caller's workspace; other shapes are not ids.
    const unknownTeam = await confirmed(owner, 'PUT', `/v1/vaults/${vaultId}/members/team_abc`, {
      role: 'viewer',
    });
    const notAPrincipal = await api.call(
      'PUT',
      `/v1/vaults/${vaultId}/members/grp_abc`,
      as(owner, { body: { role: 'viewer' } }),
    );

    expect(grant.action).toBe('vault.manage');
    expect(grant.retried).toMatchObject({
      status: 200,
      body: { member: { principalId: viewer.userId, role: 'viewer' } },
    });
    expect(otherPrincipal).toMatchObject({ status: 403, body: { error: 'identity_confirmation_required' } });
    expect(viewerReads).toMatchObject({ status: 200, body: { secret: { role: 'viewer' } } });
    // Too weak a role is refused before any challenge; no role at all is 404.
    expect(viewerEdits).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(outsiderReads).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(share.action).toBe('secret.share');
    expect(share.retried.status).toBe(200);
    expect(outsiderReadsNow).toMatchObject({ status: 200, body: { secret: { role: 'editor' } } });
    expect(outsiderListsVault.status).toBe(404);
    expect(vaultMembers.body.items.map((g: { principalId: string }) => g.principalId).sort()).toEqual(
      [owner.userId, viewer.userId].sort(),
    );
    expect(secretMembers.body.items).toEqual([
      expect.objectContaining({ principalId: outsider.userId, role: 'editor' }),
    ]);
    expect(lastManager.retried).toMatchObject({ status: 409, body: { error: 'last_manager' } });
    expect(unshare.retried.status).toBe(200);
    expect(outsiderAfter.status).toBe(404);
    expect(unknownTeam.retried).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(notAPrincipal).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
  });

  it('grants a SCIM team a vault: its member views the secret until removed from the group', async () => {
    const workspace = `sec-${randomUUID().slice(0, 8)}`;
    const owner = await member(workspace, 'owner');
    const mate = await member(workspace, 'mate');
    const ownerUser = (await api.call('GET', '/v1/me', { token: owner.token })).body.user as User;
    const { token } = await issueScimToken(ownerUser, httpRuntime().deps);
    api.secrets.add(token);
    const scim = (method: string, path: string, body: unknown) =>
      api.call(method, `/scim/v2${path}`, {
        rawBody: JSON.stringify(body),
        type: 'application/scim+json',
        token,
      } as never);
    const team = await scim('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Marketing',
      members: [{ value: mate.userId }],
    });
    const teamId = team.body.id as string;
    const { vaultId, secretId } = await vaultWithSecret(owner);
    const before = await api.call('GET', `/v1/secrets/${secretId}`, as(mate));

    const grant = await confirmed(owner, 'PUT', `/v1/vaults/${vaultId}/members/${teamId}`, {
      role: 'viewer',
    });
    const during = await api.call('GET', `/v1/secrets/${secretId}`, as(mate));
    const vaults = await api.call('GET', '/v1/vaults', as(mate));
    await scim('PATCH', `/Groups/${teamId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'remove', path: `members[value eq "${mate.userId}"]` }],
    });
    const after = await api.call('GET', `/v1/secrets/${secretId}`, as(mate));

    expect(team.status).toBe(201);
    expect(before.status).toBe(404);
    expect(grant.retried).toMatchObject({
      status: 200,
      body: { member: { principalId: teamId, role: 'viewer' } },
    });
    expect(during).toMatchObject({ status: 200, body: { secret: { role: 'viewer' } } });
    expect(vaults.body.items).toMatchObject([{ id: vaultId, role: 'viewer' }]);
    expect(after).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('renames a vault under vault.manage and refuses bad input with stable codes', async () => {
    const workspace = `sec-${randomUUID().slice(0, 8)}`;
    const owner = await member(workspace, 'owner');
    const { vaultId, secretId } = await vaultWithSecret(owner);

    const renamed = await confirmed(owner, 'PATCH', `/v1/vaults/${vaultId}`, { name: 'Brand' });
    const badType = await api.call(
      'POST',
      `/v1/vaults/${vaultId}/secrets`,
      as(owner, { body: { name: 'x', items: [{ type: 'ssh', name: 'k', value: 'v' }] } }),
    );
    const noItems = await api.call(
      'POST',
      `/v1/vaults/${vaultId}/secrets`,
      as(owner, { body: { name: 'x', items: [] } }),
    );
    const badCursor = await api.call('GET', `/v1/vaults/${vaultId}/secrets?cursor=bm9wZQ`, as(owner));
    const unknownSecret = await api.call('GET', '/v1/secrets/sec_nope', as(owner));
    const stale = await api.call('GET', `/v1/secrets/${secretId}/history?limit=99`, as(owner));

    expect(renamed.action).toBe('vault.manage');
    expect(renamed.retried).toMatchObject({ status: 200, body: { vault: { name: 'Brand' } } });
    expect(badType).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(noItems).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(badCursor).toMatchObject({ status: 400, body: { error: 'invalid_cursor' } });
    expect(unknownSecret).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(stale).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
  });

  it('binds edit, delete, history and share approvals to their own secret: none unlocks a second one', async () => {
    const workspace = `sec-${randomUUID().slice(0, 8)}`;
    const owner = await member(workspace, 'owner');
    const grantee = await member(workspace, 'grantee');
    const { vaultId, secretId } = await vaultWithSecret(owner);
    const second = await api.call(
      'POST',
      `/v1/vaults/${vaultId}/secrets`,
      as(owner, { body: { name: 'Second', items: [{ type: 'note', name: 'n', value: value('n') }] } }),
    );
    const secondId = second.body.secret.id as string;
    const cases: Array<[string, string, unknown]> = [
      ['PATCH', '', { name: 'Renamed' }],
      ['GET', '/history', undefined],
      ['PUT', `/members/${grantee.userId}`, { role: 'viewer' }],
      ['DELETE', '', undefined],
    ];

    const outcomes = [];
    for (const [method, suffix, body] of cases) {
      const approved = await confirmed(owner, method, `/v1/secrets/${secretId}${suffix}`, body);
      const elsewhere = await api.call(
        method,
        `/v1/secrets/${secondId}${suffix}`,
        as(owner, { body, confirmation: approved.challengeId }),
      );
      outcomes.push({
        action: approved.action,
        approved: approved.retried.status,
        elsewhere: elsewhere.status,
      });
    }

    expect(outcomes).toEqual([
      { action: 'secret.edit', approved: 200, elsewhere: 403 },
      { action: 'secret.history.view', approved: 200, elsewhere: 403 },
      { action: 'secret.share', approved: 200, elsewhere: 403 },
      { action: 'secret.delete', approved: 200, elsewhere: 403 },
    ]);
    expect((await api.call('GET', `/v1/secrets/${secondId}`, as(owner))).body.secret.name).toBe('Second');
  });

  /** The browser's side of a presigned POST: every field, then the file last. */
  async function upload(
    presigned: { url: string; fields: Record<string, string> },
    content: Buffer,
    contentType = presigned.fields['Content-Type'] ?? '',
  ) {
    const form = new FormData();
    for (const [name, fieldValue] of Object.entries(presigned.fields))
      form.append(name, name === 'Content-Type' ? contentType : fieldValue);
    form.append('file', new Blob([content], { type: contentType }));
    const answer = await fetch(presigned.url, { method: 'POST', body: form });
    return { status: answer.status, body: await answer.text() };
  }

  it('round-trips an attachment through a presigned POST and a presigned download', async () => {
    const workspace = `sec-${randomUUID().slice(0, 8)}`;
    const owner = await member(workspace, 'owner');
    const outsider = await member(workspace, 'outsider');
    const { secretId } = await vaultWithSecret(owner);
    const content = Buffer.from(`%PDF-1.7 ${value('attachment')}`);
    const body = { name: 'contrat signé.pdf', contentType: 'application/pdf', size: content.length };

    const added = await confirmed(owner, 'POST', `/v1/secrets/${secretId}/attachments`, body);
    const attachmentId = added.retried.body.attachment.id as string;
    const path = `/v1/secrets/${secretId}/attachments/${attachmentId}`;
    const early = await api.call('GET', path, as(owner));
    const uploaded = await upload(added.retried.body.upload, content);
    const listed = await api.call('GET', `/v1/secrets/${secretId}/attachments`, as(owner));
    const download = await api.call('GET', path, as(owner));
    const file = await fetch(download.body.downloadUrl);
    const bytes = Buffer.from(await file.arrayBuffer());
    const foreign = await api.call('GET', path, as(outsider));
    const unsigned = await fetch(download.body.downloadUrl.split('?')[0]);
    const tampered = await fetch(
      download.body.downloadUrl.replace('response-content-disposition', 'response-cache-control'),
    );

    expect(added.action).toBe('secret.attachments.manage');
    expect(added.retried).toMatchObject({
      status: 201,
      body: { attachment: { name: body.name, contentType: 'application/pdf', size: content.length } },
    });
    expect(added.retried.body.attachment.objectKey).toBeUndefined();
    expect(added.retried.body.upload.fields.key).toMatch(
      new RegExp(`^attachments/${secretId}/${attachmentId}/[\\w-]{43}$`),
    );
    expect(early).toMatchObject({ status: 409, body: { error: 'attachment_not_uploaded' } });
    expect(uploaded.status).toBe(204);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: attachmentId, name: body.name })]);
    expect(download.status).toBe(200);
    expect(file.status).toBe(200);
    expect(bytes.equals(content)).toBe(true);
    expect(file.headers.get('content-disposition')).toBe(
      `attachment; filename="contrat sign_.pdf"; filename*=UTF-8''${encodeURIComponent(body.name)}`,
    );
    expect(foreign).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(unsigned.status).toBe(403);
    expect(tampered.status).toBe(403);
  });

  it('refuses an oversize or mistyped upload and a declared size over the cap; policies live 5 minutes', async () => {
    const workspace = `sec-${randomUUID().slice(0, 8)}`;
    const owner = await member(workspace, 'owner');
    const { secretId } = await vaultWithSecret(owner);
    const body = { name: 'notes.txt', contentType: 'text/plain', size: 5 };
    const added = await confirmed(owner, 'POST', `/v1/secrets/${secretId}/attachments`, body);
    const presigned = added.retried.body.upload;
    const again = (b: unknown) =>
      api.call(
        'POST',
        `/v1/secrets/${secretId}/attachments`,
        as(owner, { body: b, confirmation: added.challengeId }),
      );

    const oversize = await upload(presigned, Buffer.from('hello, world'));
    const html = await upload(presigned, Buffer.from('<svg>'), 'text/html');
    const tooBig = await again({ ...body, size: 200 * 1024 * 1024 });
    const badType = await again({ ...body, contentType: 'text/html; charset=utf-8' });
    const badName = await again({ ...body, name: '../etc/passwd' });
    const expired = JSON.parse(Buffer.from(presigned.fields.Policy, 'base64').toString('utf8')).expiration;
    const attachmentPath = `/v1/secrets/${secretId}/attachments/${added.retried.body.attachment.id}`;
    const stillMissing = await api.call('GET', attachmentPath, as(owner));

    expect(oversize.status).toBe(400);
    expect(oversize.body).toContain('EntityTooLarge');
    expect(html.status).toBe(403);
    expect(html.body).toContain('Policy Condition failed');
    expect(tooBig).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(badType).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(badName).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    // The policy lives 5 minutes; the local S3 refuses it afterwards (test/e2e/local-s3.test.ts).
    expect((Date.parse(expired) - Date.now()) / 1000).toBeLessThanOrEqual(300);
    expect(stillMissing).toMatchObject({ status: 409, body: { error: 'attachment_not_uploaded' } });
  });

  it('removes an attachment, and every attachment of a secret purged from the trash', async () => {
    const workspace = `sec-${randomUUID().slice(0, 8)}`;
    const owner = await member(workspace, 'owner');
    const { secretId } = await vaultWithSecret(owner);
    const files = [];
    let approval: string | undefined;
    for (const name of ['a.txt', 'b.txt']) {
      const content = Buffer.from(value(name));
      const body = { name, contentType: 'text/plain', size: content.length };
      let first: Awaited<ReturnType<typeof api.call>>;
      if (approval) {
        const path = `/v1/secrets/${secretId}/attachments`;
        first = await api.call('POST', path, as(owner, { body, confirmation: approval }));
      } else {
        const flow = await confirmed(owner, 'POST', `/v1/secrets/${secretId}/attachments`, body);
        approval = flow.challengeId;
        first = flow.retried;
      }
      expect(first.status).toBe(201);
      expect((await upload(first.body.upload, content)).status).toBe(204);
      const path = `/v1/secrets/${secretId}/attachments/${first.body.attachment.id}`;
      files.push({ path, url: (await api.call('GET', path, as(owner))).body.downloadUrl as string });
    }
    const [first, second] = files as [(typeof files)[0], (typeof files)[0]];

    const removed = await confirmed(owner, 'DELETE', first.path);
    // The object follows its record through the table stream (the attachment clean-up).
    await stack.push.drain();
    const removedFile = await fetch(first.url);
    const trashed = await confirmed(owner, 'DELETE', `/v1/secrets/${secretId}`);
    const whileTrashed = await api.call('GET', second.path, as(owner));
    const notTrashedYet = trashed.retried.status;
    const purged = await confirmed(owner, 'POST', `/v1/secrets/${secretId}/purge`);
    await stack.push.drain();
    const purgedFile = await fetch(second.url);
    const afterPurge = await api.call('GET', second.path, as(owner));
    const restore = await api.call('POST', `/v1/secrets/${secretId}/restore`, as(owner));
    const stored = await storedItems(stack);

    expect(removed.action).toBe('secret.attachments.manage');
    expect(removed.retried).toMatchObject({ status: 200, body: { deleted: true } });
    expect(removedFile.status).toBe(404);
    expect(notTrashedYet).toBe(200);
    expect(whileTrashed).toMatchObject({ status: 404 });
    expect(purged.action).toBe('secret.delete');
    expect(purged.retried).toMatchObject({ status: 200, body: { purged: true } });
    expect(purgedFile.status).toBe(404);
    expect(afterPurge.status).toBe(404);
    expect(restore.status).toBe(404);
    const records = (JSON.parse(stored) as { pk: string; sk: string }[]).filter(
      (item) => item.pk === `SECRET#${secretId}` && item.sk.startsWith('ATTACHMENT#'),
    );
    expect(records).toEqual([]);
  });

  // Last: reads everything the suite wrote and logged.
  it('stores and logs none of the secret values it wrote', async () => {
    const stored = await storedItems(stack);
    const logged = logs.lines.join('');

    expect(stored).toContain('SECRET#');
    expect(stored).toContain('SecretVersion');
    expect(values.size).toBeGreaterThan(10);
    for (const v of values) {
      expect(stored.includes(v), `table holds ${v.slice(0, 6)}...`).toBe(false);
      expect(logged.includes(v), `logs hold ${v.slice(0, 6)}...`).toBe(false);
    }
    expect(logs.json().some((line) => line.securityEvent === 'secret.viewed')).toBe(true);
  });
});
