import { type ScimPatchOperation, scimPatch } from 'scim-patch';
import { filter as compileFilter, type Filter, parse as parseScimFilter } from 'scim2-parse-filter';
import * as z from 'zod/mini';
import { SCIM, ScimError, type ScimUserData } from '../../domain/directory/scim-model';
import type { FilterPlan, ScimProtocol } from '../../domain/directory/scim-protocol';

/**
 * The SCIM protocol libraries at the boundary: `scim2-parse-filter` parses filters and tests resources
 * against them, `scim-patch` applies PATCH operations. This file translates their model into what the
 * directory use cases decide on (a filter plan, a patched resource) and their errors into ScimError.
 */

/** Attributes compared case-sensitively (RFC 7643 caseExact true); every other string is compared folded. */
function isCaseExact(path: string): boolean {
  const lower = path.toLowerCase();
  const last = lower.split('.').at(-1);
  return last === 'id' || last === 'externalid' || lower === 'members' || lower === 'members.value';
}

/** Attribute names are case-insensitive (RFC 7644 3.4.2.2): fold names, and values where caseExact is false. */
function foldFilter(node: Filter, parent = ''): Filter {
  const full = (path: string) => (parent ? `${parent}.${path}` : path);
  switch (node.op) {
    case 'and':
    case 'or':
      return { ...node, filters: node.filters.map((inner) => foldFilter(inner, parent)) };
    case 'not':
      return { ...node, filter: foldFilter(node.filter, parent) };
    case '[]':
      return {
        ...node,
        attrPath: node.attrPath.toLowerCase(),
        valFilter: foldFilter(node.valFilter, full(node.attrPath)),
      };
    case 'pr':
      return { ...node, attrPath: node.attrPath.toLowerCase() };
    default: {
      const compare = node as Extract<Filter, { compValue: unknown }>;
      const exact = isCaseExact(full(compare.attrPath));
      return {
        ...compare,
        attrPath: compare.attrPath.toLowerCase(),
        compValue:
          typeof compare.compValue === 'string' && !exact
            ? compare.compValue.toLowerCase()
            : compare.compValue,
      };
    }
  }
}

function foldResource(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((item) => foldResource(item, path));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => {
        const name = key.toLowerCase();
        return [name, foldResource(inner, path ? `${path}.${name}` : name)];
      }),
    );
  }
  return typeof value === 'string' && !isCaseExact(path) ? value.toLowerCase() : value;
}

const USER_INDEX: Record<
  string,
  FilterPlan['index'] extends infer T ? (T extends { attribute: infer A } ? A : never) : never
> = {
  username: 'userName',
  externalid: 'externalId',
  emails: 'email',
  'emails.value': 'email',
  displayname: 'displayName',
};
const GROUP_INDEX: Record<string, string> = {
  displayname: 'displayName',
  externalid: 'externalId',
  members: 'member',
  'members.value': 'member',
};

/** The first `eq` on an indexed attribute at the top of the filter or directly inside an `and`. */
function indexedEq(
  node: Filter,
  table: Record<string, string>,
): { attribute: string; value: string } | undefined {
  const candidates = node.op === 'and' ? node.filters : [node];
  for (const candidate of candidates) {
    if (candidate.op === 'eq') {
      const attribute = table[candidate.attrPath.toLowerCase()];
      if (attribute && typeof candidate.compValue === 'string')
        return { attribute, value: candidate.compValue };
    }
    if (candidate.op === '[]' && candidate.valFilter.op === 'eq') {
      const inner = candidate.valFilter;
      const attribute = table[`${candidate.attrPath}.${inner.attrPath}`.toLowerCase()];
      if (attribute && typeof inner.compValue === 'string') return { attribute, value: inner.compValue };
    }
    if (candidate.op === 'and') {
      const nested = indexedEq(candidate, table);
      if (nested) return nested;
    }
  }
  return undefined;
}

export function planFilter(expression: string, resource: 'User' | 'Group'): FilterPlan {
  let ast: Filter;
  try {
    ast = parseScimFilter(expression);
  } catch (error) {
    throw new ScimError(400, `The filter is not valid: ${(error as Error).message}`, 'invalidFilter');
  }
  const test = compileFilter(foldFilter(ast));
  const index = indexedEq(ast, resource === 'User' ? USER_INDEX : GROUP_INDEX);
  return {
    ...(index ? { index: index as FilterPlan['index'] & object } : {}),
    matches: (candidate) => test(foldResource(candidate, '')),
  };
}

/** Entra ID sends booleans as strings ("True", "False"); RFC 7643 types them as booleans. */
const scimBoolean = z.pipe(
  z.union([z.boolean(), z.string()]),
  z.transform((value, context) => {
    if (typeof value === 'boolean') return value;
    if (/^true$/i.test(value)) return true;
    if (/^false$/i.test(value)) return false;
    context.issues.push({ code: 'custom', input: value, message: 'expected a boolean' });
    return z.NEVER;
  }),
);
const short = z.string().check(z.maxLength(1024));
const multiValued = z.array(
  z.object({
    value: short,
    type: z.optional(short),
    primary: z.optional(scimBoolean),
    display: z.optional(short),
  }),
);
const userSchema = z.object({
  userName: z.string().check(z.minLength(1), z.maxLength(256), z.trim()),
  externalId: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(256)))),
  name: z.optional(z.record(z.string(), short)),
  displayName: z.optional(short),
  nickName: z.optional(short),
  title: z.optional(short),
  userType: z.optional(short),
  preferredLanguage: z.optional(short),
  locale: z.optional(short),
  timezone: z.optional(short),
  active: z.optional(scimBoolean),
  emails: z.optional(multiValued.check(z.maxLength(20))),
  phoneNumbers: z.optional(multiValued.check(z.maxLength(20))),
  [SCIM.enterprise]: z.optional(z.record(z.string(), z.unknown())),
});

function invalid(error: z.core.$ZodError): ScimError {
  const issue = error.issues[0];
  const where = issue?.path.join('.') || 'body';
  return new ScimError(400, `${where}: ${issue?.message ?? 'invalid'}`, 'invalidValue');
}

export function parseUser(body: unknown): { data: ScimUserData; active?: boolean } {
  const result = z.safeParse(userSchema, body);
  if (!result.success) throw invalid(result.error);
  const { active, externalId, [SCIM.enterprise]: enterprise, ...rest } = result.data;
  const data: ScimUserData = {
    ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
    userName: rest.userName,
    ...(externalId ? { externalId } : {}),
    ...(enterprise && Object.keys(enterprise).length ? { enterprise } : {}),
  } as ScimUserData;
  return { data, ...(active === undefined ? {} : { active }) };
}

const memberSchema = z.array(
  z.object({ value: z.string().check(z.minLength(1), z.maxLength(256)), display: z.optional(short) }),
);
const groupSchema = z.object({
  displayName: z.string().check(z.minLength(1), z.maxLength(256), z.trim()),
  externalId: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(256)))),
  members: z.optional(memberSchema.check(z.maxLength(50_000))),
});

export function parseGroup(body: unknown) {
  const result = z.safeParse(groupSchema, body);
  if (!result.success) throw invalid(result.error);
  return {
    displayName: result.data.displayName,
    ...(result.data.externalId ? { externalId: result.data.externalId } : {}),
    ...(result.data.members ? { members: result.data.members.map((member) => member.value) } : {}),
  };
}

const patchSchema = z.object({
  schemas: z.optional(z.array(z.string())),
  Operations: z
    .array(
      z.object({
        op: z.string().check(z.regex(/^(add|replace|remove)$/i, 'op must be add, replace or remove')),
        path: z.optional(z.string().check(z.maxLength(1024))),
        value: z.optional(z.unknown()),
      }),
    )
    .check(z.minLength(1), z.maxLength(1000)),
});

/** Boolean-typed attributes that Entra ID may send as "True"/"False", at any depth of a PATCH value. */
const BOOLEAN_ATTRIBUTES = new Set(['active', 'primary']);

function booleansOf(value: unknown, key?: string): unknown {
  if (key && BOOLEAN_ATTRIBUTES.has(key.toLowerCase()) && typeof value === 'string') {
    if (/^true$/i.test(value)) return true;
    if (/^false$/i.test(value)) return false;
  }
  if (Array.isArray(value)) return value.map((item) => booleansOf(item, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, booleansOf(v, k)]));
  }
  return value;
}

/**
 * Applies a PatchOp to a resource (its SCIM representation) and returns the patched copy. Accepts
 * Entra ID's capitalised ops, string booleans and PATCH without `path`, and Okta's
 * `{"op":"replace","value":{"active":false}}`.
 */
export function applyPatch(resource: Record<string, unknown>, body: unknown): Record<string, unknown> {
  const parsed = z.safeParse(patchSchema, body);
  if (!parsed.success) throw new ScimError(400, 'The body is not a SCIM PatchOp.', 'invalidSyntax');
  if (parsed.data.schemas && !parsed.data.schemas.includes(SCIM.patchOp)) {
    throw new ScimError(400, `The PatchOp schema ${SCIM.patchOp} is required.`, 'invalidSyntax');
  }
  const operations = parsed.data.Operations.flatMap((operation): Record<string, unknown>[] => {
    const op = operation.op.toLowerCase() as 'add' | 'replace' | 'remove';
    const lastKey = operation.path?.split(/[.:]/).at(-1)?.replace(/\[.*$/, '');
    const value = booleansOf(operation.value, lastKey);
    // Entra ID removes members as `{"op":"Remove","path":"members","value":[{"$ref":null,"value":"id"}]}`:
    // the same as one `members[value eq "id"]` removal per listed value.
    if (op === 'remove' && operation.path && !operation.path.includes('[') && Array.isArray(value)) {
      return value.map((item) => {
        const id = (item as { value?: unknown } | null)?.value;
        if (typeof id !== 'string')
          throw new ScimError(400, 'Each removed value needs a value.', 'invalidValue');
        return { op, path: `${operation.path}[value eq ${JSON.stringify(id)}]` };
      });
    }
    return [
      { op, ...(operation.path ? { path: operation.path } : {}), ...(value === undefined ? {} : { value }) },
    ];
  }) as unknown as ScimPatchOperation[];
  try {
    return scimPatch(
      {
        ...structuredClone(resource),
        schemas: [],
        meta: { created: new Date(0), lastModified: new Date(0) },
      },
      operations,
      { mutateDocument: false, treatMissingAsAdd: true },
    );
  } catch (error) {
    const scimType = (error as { scimCode?: string }).scimCode;
    throw new ScimError(
      400,
      (error as Error).message || 'The patch cannot be applied.',
      scimType === 'noTarget' || scimType === 'invalidPath' || scimType === 'invalidValue'
        ? scimType
        : 'invalidValue',
    );
  }
}

export const scimProtocol: ScimProtocol = { planFilter, parseUser, parseGroup, applyPatch };
