import type { IndexedGroupAttribute, IndexedUserAttribute, ScimUserData } from './scim-model';

/** How a filter is answered: by an index lookup when it allows one, then by testing each candidate. */
export interface FilterPlan {
  index?: { attribute: IndexedUserAttribute | IndexedGroupAttribute; value: string };
  /** Tests a resource (its SCIM representation) against the whole filter. */
  matches(resource: Record<string, unknown>): boolean;
}

/** The SCIM protocol as the use cases need it (implemented over maintained libraries in adapters/scim). */
export interface ScimProtocol {
  planFilter(expression: string, resource: 'User' | 'Group'): FilterPlan;
  parseUser(body: unknown): { data: ScimUserData; active?: boolean };
  parseGroup(body: unknown): { displayName: string; externalId?: string; members?: string[] };
  applyPatch(resource: Record<string, unknown>, body: unknown): Record<string, unknown>;
}
