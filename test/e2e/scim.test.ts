import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootInMemoryStack } from '../../local/boot';
import type { LocalStack } from '../../local/stack';
import { issueScimToken } from '../../shared/domain/identity/use-cases';
import type { User } from '../../shared/domain/users/model';
import { httpRuntime } from '../../shared/runtime/http';
import { trustedWebSession } from '../support/e2e-devices';
import { client, storedItems } from './client';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('SCIM 2.0 service provider over HTTP', () => {
  let stack: LocalStack;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    stack = await bootInMemoryStack({ quiet: true, env: { POWERTOOLS_LOG_LEVEL: 'WARN' } });
    api = client(stack);
  });
  afterAll(() => stack?.stop());

  /**
   * A freshly bootstrapped workspace (open to just-in-time users of its own domain), its owner signed in,
   * and its SCIM token, issued by the route's own use case.
   */
  async function workspace() {
    const name = `scim-${randomUUID().slice(0, 8)}`;
    const email = `owner-${randomUUID().slice(0, 6)}@${name}.example`;
    await api.bootstrap(name, email, [`${name}.example`]);
    const ownerToken = await api.token(email, name);
    const owner = (await api.call('GET', '/v1/me', { token: ownerToken })).body.user as User;
    const { token } = await issueScimToken(owner, httpRuntime().deps);
    api.secrets.add(token);
    return { name, owner, ownerToken, scim: token };
  }

  function scim(token: string) {
    return (method: string, path: string, body?: unknown, type = 'application/scim+json') =>
      api.call(method, `/scim/v2${path}`, {
        rawBody: body === undefined ? undefined : JSON.stringify(body),
        type,
        ...(body === undefined ? {} : {}),
        token,
      } as never);
  }

  async function outbox(type: string) {
    const items = JSON.parse(await storedItems(stack)) as {
      entity?: string;
      event?: { type: string; detail: Record<string, unknown> };
    }[];
    return items
      .filter((item) => item.entity === 'outbox_event' && item.event?.type === type)
      .map((item) => item.event);
  }

  it('answers 401 in the SCIM error schema without a token, with a wrong one, and with a reissued one', async () => {
    const ws = await workspace();
    const call = scim(ws.scim);
    const missing = await api.call('GET', '/scim/v2/Users');
    const wrong = await scim(`${ws.scim}x`)('GET', '/Users');
    const jwt = await scim(ws.ownerToken)('GET', '/Users');
    const ok = await call('GET', '/Users');
    await issueScimToken(ws.owner, httpRuntime().deps);
    const replaced = await call('GET', '/Users');

    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '401',
    });
    expect(missing.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(wrong.status).toBe(401);
    expect(jwt.status).toBe(401);
    expect(ok.status).toBe(200);
    expect(ws.scim).toMatch(/^lksc_ws_/);
    expect(replaced.status).toBe(401);
    // Stored only as an HMAC: no table item holds the token's secret.
    expect(await storedItems(stack)).not.toContain(ws.scim.split('.')[1]);
  });

  it('serves the discovery documents', async () => {
    const call = scim((await workspace()).scim);
    const config = await call('GET', '/ServiceProviderConfig');
    const types = await call('GET', '/ResourceTypes');
    const schemas = await call('GET', '/Schemas');

    expect(config.body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true },
    });
    expect(types.body.Resources.map((t: { id: string }) => t.id)).toEqual(['User', 'Group']);
    expect(schemas.body.Resources.map((s: { id: string }) => s.id)).toContain(ENTERPRISE);
  });

  it('replays the Okta SCIM 2.0 user and group sequence', async () => {
    const ws = await workspace();
    const call = scim(ws.scim);
    const userName = `test.user-${randomUUID().slice(0, 6)}@okta.local`;

    // Okta: determine whether the user exists, then create it.
    const lookup = await call(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`,
    );
    const created = await call('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName,
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    });
    const id = created.body.id as string;
    const read = await call('GET', `/Users/${id}`);
    const found = await call(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}&startIndex=1&count=100`,
    );
    // Okta updates profiles with PUT of the whole user.
    const replaced = await call('PUT', `/Users/${id}`, {
      ...read.body,
      name: { givenName: 'Another', familyName: 'User' },
    });
    const deactivated = await call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });

    expect(lookup.body).toMatchObject({ totalResults: 0, Resources: [] });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toMatch(new RegExp(`/scim/v2/Users/${id}$`));
    expect(id).toMatch(/^usr_/);
    expect(created.body).not.toHaveProperty('password');
    expect(read.body).toMatchObject({ userName, externalId: '00ujl29u0le5T6Aj10h7', active: true });
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(id);
    expect(replaced.body.name).toEqual({ givenName: 'Another', familyName: 'User' });
    expect(deactivated.body.active).toBe(false);
    expect((await outbox('user.deprovisioned')).some((event) => event?.detail.userId === id)).toBe(true);

    // Groups: create, list, rename, replace members, add, remove, delete.
    const group = await call('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Test SCIMv2',
      members: [],
    });
    const gid = group.body.id as string;
    const listed = await call('GET', '/Groups?startIndex=1&count=100');
    const renamed = await call('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { id: gid, displayName: 'Test SCIMv2 renamed' } }],
    });
    const other = await call('POST', '/Users', { schemas: [USER_SCHEMA], userName: `other-${userName}` });
    const put = await call('PUT', `/Groups/${gid}`, {
      schemas: [GROUP_SCHEMA],
      id: gid,
      displayName: 'Test SCIMv2 renamed',
      members: [{ value: other.body.id, display: 'other' }],
    });
    const added = await call('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: id, display: userName }] }],
    });
    const withTwo = await call('GET', `/Groups/${gid}`);
    const removed = await call('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq "${other.body.id}"]` }],
    });
    const withOne = await call('GET', `/Groups/${gid}`);
    const deleted = await call('DELETE', `/Groups/${gid}`);
    const gone = await call('GET', `/Groups/${gid}`);

    expect(group.status).toBe(201);
    expect(gid).toMatch(/^team_/);
    expect(listed.body.Resources.map((g: { id: string }) => g.id)).toContain(gid);
    expect(renamed.status).toBe(204);
    expect(put.body.members.map((m: { value: string }) => m.value)).toEqual([other.body.id]);
    expect(added.status).toBe(204);
    expect(withTwo.body.members.map((m: { value: string }) => m.value).sort()).toEqual(
      [other.body.id, id].sort(),
    );
    expect(removed.status).toBe(204);
    expect(withOne.body).toMatchObject({ displayName: 'Test SCIMv2 renamed', members: [{ value: id }] });
    expect(deleted.status).toBe(204);
    expect(gone.status).toBe(404);
    const changes = await outbox('team.membership_changed');
    expect(changes.filter((event) => event?.detail.teamId === gid).length).toBeGreaterThanOrEqual(3);
  });

  it('replays the Microsoft Entra ID user and group sequence', async () => {
    const ws = await workspace();
    const call = scim(ws.scim);
    const suffix = randomUUID();
    const created = await call('POST', '/Users', {
      schemas: [USER_SCHEMA, ENTERPRISE],
      externalId: `0a21f0f2-${suffix}`,
      userName: `Test_User_${suffix}`,
      active: true,
      emails: [{ primary: true, type: 'work', value: `Test_User_${suffix}@testuser.com` }],
      meta: { resourceType: 'User' },
      name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
      roles: [],
    });
    const id = created.body.id as string;
    const byQuery = await call(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "Test_User_${suffix}"`)}`,
    );
    const none = await call('GET', `/Users?filter=${encodeURIComponent(`userName eq "non-existent user"`)}`);
    const multi = await call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: `updated-${suffix}@microsoft.com` },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
      ],
    });
    const single = await call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'userName', value: `renamed-${suffix}@testuser.com` }],
    });
    const department = await call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Add', path: `${ENTERPRISE}:department`, value: 'Finance' }],
    });
    // Entra ID sends booleans as strings and PATCH without a path.
    const disabled = await call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', value: { active: 'False' } }],
    });
    const enabled = await call('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'True' }],
    });
    const byEmail = await call(
      'GET',
      `/Users?filter=${encodeURIComponent(`emails[type eq "work"].value eq "updated-${suffix}@microsoft.com"`)}`,
    );

    expect(created.status).toBe(201);
    expect(byQuery.body.Resources).toHaveLength(1);
    expect(none.body).toMatchObject({ totalResults: 0 });
    expect(multi.body.emails[0].value).toBe(`updated-${suffix}@microsoft.com`);
    expect(multi.body.name.familyName).toBe('updatedFamilyName');
    expect(single.body.userName).toBe(`renamed-${suffix}@testuser.com`);
    expect(department.body[ENTERPRISE]).toEqual({ department: 'Finance' });
    expect(disabled.body.active).toBe(false);
    expect(enabled.body.active).toBe(true);
    expect(byEmail.body.Resources.map((u: { id: string }) => u.id)).toEqual([id]);
    expect((await outbox('user.reactivated')).some((event) => event?.detail.userId === id)).toBe(true);

    const group = await call('POST', '/Groups', {
      schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: `8aa1a0c0-${suffix}`,
      displayName: `displayName-${suffix}`,
      meta: { resourceType: 'Group' },
    });
    const gid = group.body.id as string;
    const read = await call('GET', `/Groups/${gid}?excludedAttributes=members`);
    const byName = await call(
      'GET',
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "displayName-${suffix}"`)}`,
    );
    const renamed = await call('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'displayName', value: `${suffix}updatedDisplayName` }],
    });
    const add = await call('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: id }] }],
    });
    const member = await call(
      'GET',
      `/Groups?filter=${encodeURIComponent(`members[value eq "${id}"]`)}&excludedAttributes=members`,
    );
    const remove = await call('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: id }] }],
    });
    const empty = await call('GET', `/Groups/${gid}`);
    const deletedGroup = await call('DELETE', `/Groups/${gid}`);
    const deletedUser = await call('DELETE', `/Users/${id}`);
    const goneUser = await call('GET', `/Users/${id}`);
    const listedAfter = await call(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "renamed-${suffix}@testuser.com"`)}`,
    );

    expect(group.status).toBe(201);
    expect(read.body).not.toHaveProperty('members');
    expect(byName.body.Resources.map((g: { id: string }) => g.id)).toEqual([gid]);
    expect(renamed.status).toBe(204);
    expect(add.status).toBe(204);
    expect(member.body.Resources.map((g: { id: string }) => g.id)).toEqual([gid]);
    expect(remove.status).toBe(204);
    expect(empty.body).toMatchObject({ displayName: `${suffix}updatedDisplayName`, members: [] });
    expect(deletedGroup.status).toBe(204);
    expect(deletedUser.status).toBe(204);
    expect(goneUser.status).toBe(404);
    expect(listedAfter.body.totalResults).toBe(0);
  });

  it('links a provisioned user to their first sign-in, refuses them while deactivated, and reactivates them', async () => {
    const ws = await workspace();
    const call = scim(ws.scim);
    const email = `linked-${randomUUID().slice(0, 6)}@${ws.name}.example`;
    const created = await call('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: email,
      emails: [{ value: email, primary: true }],
    });

    const token = await api.token(email, ws.name);
    const me = await api.call('GET', '/v1/me', { token });
    await api.call('POST', '/v1/devices', { token, body: { clientType: 'web', os: 'macOS' } });
    await call('PATCH', `/Users/${created.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    const refused = await api.call('GET', '/v1/me', { token });
    await call('PATCH', `/Users/${created.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'active', value: true }],
    });
    const back = await api.call('GET', '/v1/me', { token });
    const devices = (
      JSON.parse(await storedItems(stack)) as { entity?: string; userId?: string; status?: string }[]
    ).filter((item) => item.entity === 'Device' && item.userId === created.body.id);
    const event = (await outbox('user.deprovisioned')).find((e) => e?.detail.userId === created.body.id);

    expect(me.body.user.id).toBe(created.body.id);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('user_deprovisioned');
    expect(back.status).toBe(200);
    expect(devices.map((device) => device.status)).toEqual(['disabled']);
    expect(event?.detail).toMatchObject({ devicesDisabled: 1, accountIds: [], by: { via: 'scim' } });
  });

  /** A user of the workspace with a trusted web session (verified by emailed code). */
  async function trustedWeb(email: string, workspaceName: string) {
    const session = await trustedWebSession(api, email, { workspace: workspaceName });
    const me = (await api.call('GET', '/v1/me', { token: session.token })).body.user as User;
    return { token: session.token, web: session.credential, id: me.id };
  }

  it('shares an account with a team; a member loses it on the next request once removed from the group', async () => {
    const ws = await workspace();
    const call = scim(ws.scim);
    const owner = await trustedWeb(`boss-${randomUUID().slice(0, 6)}@${ws.name}.example`, ws.name);
    const memberEmail = `member-${randomUUID().slice(0, 6)}@${ws.name}.example`;
    const provisioned = await call('POST', '/Users', { schemas: [USER_SCHEMA], userName: memberEmail });
    const member = await trustedWeb(memberEmail, ws.name);
    const team = await call('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Marketing',
      members: [{ value: member.id }],
    });
    const account = await api.call('POST', '/v1/accounts', {
      token: owner.token,
      device: owner.web,
      body: { appName: 'Team App', username: 'team@app.example', password: 'p@ss-Word-42' },
    });
    const accountId = account.body.account.id as string;
    const asMember = () =>
      api.call('GET', `/v1/accounts/${accountId}`, { token: member.token, device: member.web });

    const before = await asMember();
    const notOwner = await api.call('PUT', `/v1/accounts/${accountId}/teams/${team.body.id}`, {
      token: member.token,
      device: member.web,
      body: { role: 'owner' },
    });
    const shared = await api.call('PUT', `/v1/accounts/${accountId}/teams/${team.body.id}`, {
      token: owner.token,
      device: owner.web,
      body: { role: 'collaborator' },
    });
    const during = await asMember();
    // The phone group (delete account, numbers) honours team access too: a collaborator through the
    // team is 403, an owner through the team passes the access check and reaches the identity
    // confirmation (which this phone-less member cannot give: 409 no_confirmation_method, not 404).
    const deleteAsMember = () =>
      api.call('DELETE', `/v1/accounts/${accountId}`, { token: member.token, device: member.web });
    const collaboratorDelete = await deleteAsMember();
    await api.call('PUT', `/v1/accounts/${accountId}/teams/${team.body.id}`, {
      token: owner.token,
      device: owner.web,
      body: { role: 'owner' },
    });
    const teamOwnerDelete = await deleteAsMember();
    await api.call('PUT', `/v1/accounts/${accountId}/teams/${team.body.id}`, {
      token: owner.token,
      device: owner.web,
      body: { role: 'collaborator' },
    });
    const teams = await api.call('GET', '/v1/teams', { token: owner.token, device: owner.web });
    const detail = await api.call('GET', `/v1/teams/${team.body.id}`, {
      token: owner.token,
      device: owner.web,
    });
    await call('PATCH', `/Groups/${team.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq "${member.id}"]` }],
    });
    const after = await asMember();
    const otherWorkspace = await workspace();
    const stranger = await trustedWeb(
      `x-${randomUUID().slice(0, 6)}@${otherWorkspace.name}.example`,
      otherWorkspace.name,
    );
    const foreignTeam = await api.call('GET', `/v1/teams/${team.body.id}`, {
      token: stranger.token,
      device: stranger.web,
    });

    expect(provisioned.body.id).toBe(member.id);
    expect(before.status).toBe(404);
    expect(notOwner.status).toBe(404);
    expect(shared.body.share).toMatchObject({ accountId, teamId: team.body.id, role: 'collaborator' });
    expect(during.status).toBe(200);
    expect(collaboratorDelete).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(teamOwnerDelete).toMatchObject({ status: 409, body: { error: 'no_confirmation_method' } });
    expect(teams.body.items).toEqual([{ id: team.body.id, name: 'Marketing', memberCount: 1 }]);
    expect(detail.body.team.members.map((m: { id: string }) => m.id)).toEqual([member.id]);
    expect(after.status).toBe(404);
    expect(foreignTeam.status).toBe(404);
  });

  it('finds workspace users for the picker and manages workspace roles, keeping an owner', async () => {
    const ws = await workspace();
    const owner = await trustedWeb(ws.owner.email, ws.name);
    const admin = await trustedWeb(`adm-${randomUUID().slice(0, 6)}@${ws.name}.example`, ws.name);
    const guest = await trustedWeb(`gst-${randomUUID().slice(0, 6)}@${ws.name}.example`, ws.name);
    const as = (who: { token: string; web: string }) => ({ token: who.token, device: who.web });
    const role = (who: { token: string; web: string }, userId: string, value: string) =>
      api.call('PUT', `/v1/users/${userId}/role`, { ...as(who), body: { role: value } });

    const madeAdmin = await role(owner, admin.id, 'admin');
    const madeGuest = await role(owner, guest.id, 'guest');
    const byPrefix = await api.call('GET', '/v1/users?q=ADM-', as(owner));
    // Pages of one, followed to the end (a page may come back short: guests are never listed).
    const listed: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await api.call('GET', `/v1/users?limit=1${cursor ? `&cursor=${cursor}` : ''}`, as(owner));
      listed.push(...page.body.items.map((u: { id: string }) => u.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    const guestSearch = await api.call('GET', '/v1/users', as(guest));
    const adminGrantsOwner = await role(admin, guest.id, 'owner');
    const lastOwner = await role(owner, owner.id, 'admin');
    const secondOwner = await role(owner, admin.id, 'owner');
    const demoted = await role(admin, owner.id, 'user');
    const badCursor = await api.call('GET', '/v1/users?cursor=bm9wZQ', as(admin));
    // A user id in base64 was a usable position before cursors were sealed: now it is refused too.
    const forged = await api.call(
      'GET',
      `/v1/users?limit=1&cursor=${Buffer.from(owner.id).toString('base64url')}`,
      as(admin),
    );

    expect(madeAdmin.body.user).toMatchObject({ id: admin.id, workspaceRole: 'admin' });
    expect(madeGuest.body.user.workspaceRole).toBe('guest');
    expect(byPrefix.body.items.map((u: { id: string }) => u.id)).toEqual([admin.id]);
    expect(listed.sort()).toEqual([admin.id, owner.id].sort());
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(guestSearch.status).toBe(403);
    expect(adminGrantsOwner).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(lastOwner).toMatchObject({ status: 409, body: { error: 'last_owner' } });
    expect(secondOwner.body.user.workspaceRole).toBe('owner');
    expect(demoted.body.user).toMatchObject({ id: owner.id, workspaceRole: 'user' });
    expect(badCursor).toMatchObject({ status: 400, body: { error: 'invalid_cursor' } });
    expect(forged).toMatchObject({ status: 400, body: { error: 'invalid_cursor' } });
  });

  it('lets admins close or open the workspace to just-in-time users; closed, newcomers get 403 not_provisioned', async () => {
    const ws = await workspace();
    const owner = await trustedWeb(ws.owner.email, ws.name);
    const member = await trustedWeb(`mem-${randomUUID().slice(0, 6)}@${ws.name}.example`, ws.name);
    const as = (who: { token: string; web: string }, body?: unknown) => ({
      token: who.token,
      device: who.web,
      ...(body ? { body } : {}),
    });

    const initial = await api.call('GET', '/v1/workspace/directory', as(owner));
    const closed = await api.call(
      'PUT',
      '/v1/workspace/directory',
      as(owner, { jitProvisioning: false, allowedEmailDomains: [`${ws.name}.EXAMPLE`] }),
    );
    const refused = await api.call('GET', '/v1/me', {
      token: await api.token(`new-${randomUUID().slice(0, 6)}@${ws.name}.example`, ws.name),
    });
    const memberStillIn = await api.call('GET', '/v1/me', { token: member.token });
    const byMember = await api.call(
      'PUT',
      '/v1/workspace/directory',
      as(member, { jitProvisioning: true, allowedEmailDomains: [] }),
    );
    const badDomain = await api.call(
      'PUT',
      '/v1/workspace/directory',
      as(owner, { jitProvisioning: true, allowedEmailDomains: ['not a domain'] }),
    );
    const reopened = await api.call(
      'PUT',
      '/v1/workspace/directory',
      as(owner, {
        jitProvisioning: true,
        allowedEmailDomains: [`${ws.name}.example`],
        linkBy: 'external_id',
      }),
    );
    const joined = await api.call('GET', '/v1/me', {
      token: await api.token(`late-${randomUUID().slice(0, 6)}@${ws.name}.example`, ws.name),
    });

    expect(initial.body.directory).toMatchObject({
      jitProvisioning: true,
      allowedEmailDomains: [`${ws.name}.example`],
      linkBy: 'verified_email',
      source: 'bootstrap',
    });
    expect(closed.body.directory).toMatchObject({
      jitProvisioning: false,
      allowedEmailDomains: [`${ws.name}.example`],
      source: 'admin',
    });
    expect(refused).toMatchObject({ status: 403, body: { error: 'not_provisioned' } });
    expect(memberStillIn.status).toBe(200);
    expect(byMember).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(badDomain).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(reopened.body.directory).toMatchObject({ jitProvisioning: true, linkBy: 'external_id' });
    expect(joined.body.user).toMatchObject({ workspaceRole: 'user' });
  });

  it('adopts a just-in-time user instead of answering 409, and enforces userName and externalId uniqueness', async () => {
    const ws = await workspace();
    const call = scim(ws.scim);
    const email = `jit-${randomUUID().slice(0, 6)}@${ws.name}.example`;
    const jit = (await api.call('GET', '/v1/me', { token: await api.token(email, ws.name) })).body.user;

    const adopted = await call('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: email,
      externalId: 'ext-1',
    });
    const again = await call('POST', '/Users', { schemas: [USER_SCHEMA], userName: email.toUpperCase() });
    const sameExternal = await call('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: `x-${email}`,
      externalId: 'ext-1',
    });

    expect(adopted.status).toBe(201);
    expect(adopted.body.id).toBe(jit.id);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    expect(sameExternal.status).toBe(409);
  });

  it('keeps every workspace to itself', async () => {
    const a = await workspace();
    const b = await workspace();
    const created = await scim(a.scim)('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: `iso-${randomUUID()}@a.example`,
    });

    const fromB = await scim(b.scim)('GET', `/Users/${created.body.id}`);
    const listB = await scim(b.scim)('GET', '/Users');
    const patchB = await scim(b.scim)('PATCH', `/Users/${created.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });

    expect(fromB.status).toBe(404);
    expect(listB.body.Resources.map((u: { id: string }) => u.id)).not.toContain(created.body.id);
    expect(patchB.status).toBe(404);
  });

  it('answers bad requests with SCIM errors, never a 500', async () => {
    const call = scim((await workspace()).scim);
    const badFilter = await call('GET', `/Users?filter=${encodeURIComponent('userName xx "a"')}`);
    const badJson = await api.call('POST', '/scim/v2/Users', {
      token: (await workspace()).scim,
      rawBody: '{',
      type: 'application/scim+json',
    });
    const noUserName = await call('POST', '/Users', { schemas: [USER_SCHEMA] });
    const badOp = await call('PATCH', '/Users/usr_nope', {
      schemas: [PATCH_OP],
      Operations: [{ op: 'move' }],
    });
    const wrongType = await call('POST', '/Users', { userName: 'a@b.c' }, 'text/plain');
    const tooLarge = await call('POST', '/Users', { userName: 'a@b.c', title: 'x'.repeat(1024 * 1024) });
    const scanFilter = await call(
      'GET',
      `/Users?filter=${encodeURIComponent('title co "x" or not (active eq true)')}`,
    );
    const stranger = await call('POST', '/Groups', {
      displayName: 'g',
      members: [{ value: 'usr_not_here' }],
    });

    expect(badFilter).toMatchObject({ status: 400, body: { scimType: 'invalidFilter', status: '400' } });
    expect(badJson).toMatchObject({ status: 400, body: { scimType: 'invalidSyntax' } });
    expect(noUserName).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });
    expect(badOp.status).toBe(404);
    expect(wrongType.status).toBe(415);
    expect(tooLarge.status).toBe(413);
    expect(scanFilter).toMatchObject({ status: 200, body: { totalResults: 0 } });
    expect(stranger).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });
  });
});
