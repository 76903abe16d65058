import { describe, expect, it } from 'vitest';
import { applyPatch, parseGroup, parseUser, planFilter } from '../../../shared/adapters/scim/protocol';
import { ScimError } from '../../../shared/domain/directory/scim-model';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const user = {
  schemas: [],
  id: 'usr_AbC',
  userName: 'Alice@Example.com',
  externalId: 'Ext-1',
  active: true,
  title: 'Engineer',
  emails: [{ type: 'work', value: 'alice@example.com', primary: true }],
  meta: { created: '2026-01-01T00:00:00Z', lastModified: '2026-06-01T00:00:00Z' },
  [ENTERPRISE]: { department: 'Finance' },
};

describe('SCIM filter planning', () => {
  it('plans an index lookup for eq on an indexed attribute, alone or inside an and', () => {
    expect(planFilter('userName eq "a@b.c"', 'User').index).toEqual({
      attribute: 'userName',
      value: 'a@b.c',
    });
    expect(planFilter('active eq true and externalId eq "x"', 'User').index).toEqual({
      attribute: 'externalId',
      value: 'x',
    });
    expect(planFilter('emails[type eq "work"].value eq "a@b.c"', 'User').index).toEqual({
      attribute: 'email',
      value: 'a@b.c',
    });
    expect(planFilter('displayName eq "Team"', 'Group').index).toEqual({
      attribute: 'displayName',
      value: 'Team',
    });
    expect(planFilter('members[value eq "usr_1"]', 'Group').index).toEqual({
      attribute: 'member',
      value: 'usr_1',
    });
  });

  it('never plans an index for or, not, or operators other than eq', () => {
    expect(planFilter('userName eq "a" or userName eq "b"', 'User').index).toBeUndefined();
    expect(planFilter('not (userName eq "a")', 'User').index).toBeUndefined();
    expect(planFilter('userName sw "a"', 'User').index).toBeUndefined();
  });

  it('compares attribute names and caseExact-false values case-insensitively, ids and externalId exactly', () => {
    expect(planFilter('USERNAME eq "alice@example.COM"', 'User').matches(user)).toBe(true);
    expect(planFilter('externalId eq "ext-1"', 'User').matches(user)).toBe(false);
    expect(planFilter('externalId eq "Ext-1"', 'User').matches(user)).toBe(true);
    expect(planFilter('id eq "usr_abc"', 'User').matches(user)).toBe(false);
  });

  it('supports the operators, value paths, dates and extension attributes the issue lists', () => {
    const cases: [string, boolean][] = [
      ['title co "gine"', true],
      ['title sw "Eng" and title ew "eer"', true],
      ['title ne "Engineer"', false],
      ['nickName pr', false],
      ['not (title pr)', false],
      ['meta.lastModified gt "2026-05-01T00:00:00Z"', true],
      ['meta.created le "2025-12-31T00:00:00Z"', false],
      ['emails[type eq "work" and primary eq true].value co "alice"', true],
      ['emails[type eq "home"].value pr', false],
      [`${ENTERPRISE}:department eq "finance"`, true],
      ['userName eq "nobody" or active eq true', true],
    ];
    for (const [filter, expected] of cases)
      expect(planFilter(filter, 'User').matches(user), filter).toBe(expected);
  });

  it('answers 400 invalidFilter for a filter it cannot parse', () => {
    for (const bad of ['userName xx "a"', 'userName eq', '(userName eq "a"', '']) {
      expect(() => planFilter(bad, 'User'), bad).toThrow(
        expect.objectContaining({ status: 400, scimType: 'invalidFilter' }),
      );
    }
  });
});

describe('SCIM PATCH', () => {
  const patch = (operations: unknown[]) => applyPatch(user, { schemas: [PATCH_OP], Operations: operations });

  it("applies Okta's path-less replace of active", () => {
    expect(patch([{ op: 'replace', value: { active: false } }]).active).toBe(false);
  });

  it("accepts Entra ID's capitalised ops and string booleans, with and without a path", () => {
    expect(patch([{ op: 'Replace', path: 'active', value: 'False' }]).active).toBe(false);
    expect(patch([{ op: 'Replace', value: { active: 'False' } }]).active).toBe(false);
    expect(patch([{ op: 'Add', path: 'emails[type eq "work"].primary', value: 'True' }]).emails).toEqual([
      { type: 'work', value: 'alice@example.com', primary: true },
    ]);
  });

  it('replaces through value filters and sub-attributes, and adds extension attributes by URN', () => {
    const patched = patch([
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' },
      { op: 'add', path: 'name.familyName', value: 'Smith' },
      { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Sales' },
      { op: 'remove', path: 'title' },
    ]);
    expect(patched).toMatchObject({
      emails: [{ value: 'new@example.com' }],
      name: { familyName: 'Smith' },
      [ENTERPRISE]: { department: 'Sales' },
    });
    expect(patched).not.toHaveProperty('title');
  });

  it("removes members Entra ID's way (path members, a value list) and by value filter", () => {
    const group = {
      schemas: [],
      id: 'team_1',
      displayName: 'T',
      members: [{ value: 'u1' }, { value: 'u2' }, { value: 'u3' }],
    };
    const removed = applyPatch(group, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Remove', path: 'members', value: [{ $ref: null, value: 'u1' }] },
        { op: 'remove', path: 'members[value eq "u3"]' },
      ],
    });
    expect(removed.members).toEqual([{ value: 'u2' }]);
  });

  it('leaves the input untouched', () => {
    patch([{ op: 'replace', path: 'title', value: 'Boss' }]);
    expect(user.title).toBe('Engineer');
  });

  it('refuses what is not a PatchOp with 400 and a scimType', () => {
    const refusals: unknown[] = [
      { schemas: [PATCH_OP], Operations: [] },
      { schemas: [PATCH_OP], Operations: [{ op: 'move', path: 'title' }] },
      { schemas: ['urn:other'], Operations: [{ op: 'add', path: 'title', value: 'x' }] },
      { Operations: 'nope' },
      null,
    ];
    for (const body of refusals) {
      expect(() => applyPatch(user, body)).toThrow(ScimError);
    }
    expect(() =>
      applyPatch(user, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{}] }] }),
    ).toThrow(expect.objectContaining({ scimType: 'invalidValue' }));
  });
});

describe('SCIM resource bodies', () => {
  it('keeps the core and enterprise attributes, drops what Latchkey does not store (password, groups)', () => {
    const { data, active } = parseUser({
      schemas: [],
      userName: ' bob@example.com ',
      password: 'secret',
      groups: [],
      active: 'True',
      emails: [{ value: 'bob@example.com', primary: 'true' }],
      [ENTERPRISE]: { manager: { value: 'usr_x' } },
    });
    expect(active).toBe(true);
    expect(data).toEqual({
      userName: 'bob@example.com',
      emails: [{ value: 'bob@example.com', primary: true }],
      enterprise: { manager: { value: 'usr_x' } },
    });
  });

  it('answers 400 invalidValue for a user without userName or with a non-boolean active', () => {
    expect(() => parseUser({ displayName: 'x' })).toThrow(
      expect.objectContaining({ status: 400, scimType: 'invalidValue' }),
    );
    expect(() => parseUser({ userName: 'x', active: 'maybe' })).toThrow(
      expect.objectContaining({ scimType: 'invalidValue' }),
    );
  });

  it('reads a group with its member ids', () => {
    expect(parseGroup({ displayName: 'Ops', members: [{ value: 'usr_1', display: 'A' }] })).toEqual({
      displayName: 'Ops',
      members: ['usr_1'],
    });
    expect(() => parseGroup({ members: [] })).toThrow(ScimError);
  });
});
