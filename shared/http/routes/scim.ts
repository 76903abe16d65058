import * as z from 'zod/mini';
import type { RouteSpec } from '../route-spec';

/**
 * The SCIM 2.0 service provider (RFC 7644) under `/scim/v2`, served by its own function (functions/scim)
 * and authenticated by the workspace's SCIM token, not the IdP's JWT. Bodies are validated by the SCIM
 * layer itself (schema, filter, PatchOp), so errors keep the SCIM error schema.
 */
const scimResource = z.looseObject({ schemas: z.array(z.string()) });
const scimIdParams = z.object({ id: z.string().check(z.minLength(1), z.maxLength(256)) });
const scimListQuery = z.looseObject({
  filter: z.optional(z.string()),
  startIndex: z.optional(z.string()),
  count: z.optional(z.string()),
  attributes: z.optional(z.string()),
  excludedAttributes: z.optional(z.string()),
});
const scimBody = z.unknown();
const noContent = z.null();

const scim = { group: 'scim', auth: 'scim', errors: ['scim_error'] } as const;
const BASE = '/scim/v2';

export const scimRoutes = {
  scimServiceProviderConfig: {
    ...scim,
    method: 'GET',
    path: `${BASE}/ServiceProviderConfig`,
    summary: 'SCIM: the features this service provider supports (PATCH, filter, no bulk, no sort).',
    status: 200,
    response: scimResource,
  },
  scimResourceTypes: {
    ...scim,
    method: 'GET',
    path: `${BASE}/ResourceTypes`,
    summary: 'SCIM: the User and Group resource types.',
    status: 200,
    response: scimResource,
  },
  scimSchemas: {
    ...scim,
    method: 'GET',
    path: `${BASE}/Schemas`,
    summary: 'SCIM: the User, enterprise User extension and Group schemas.',
    status: 200,
    response: scimResource,
  },
  scimListUsers: {
    ...scim,
    method: 'GET',
    path: `${BASE}/Users`,
    summary: 'SCIM: lists users, with filter, startIndex/count, attributes/excludedAttributes.',
    status: 200,
    query: scimListQuery,
    response: scimResource,
  },
  scimCreateUser: {
    ...scim,
    method: 'POST',
    path: `${BASE}/Users`,
    summary: 'SCIM: provisions a user (adopts a just-in-time user with the same email).',
    status: 201,
    body: scimBody,
    response: scimResource,
  },
  scimGetUser: {
    ...scim,
    method: 'GET',
    path: `${BASE}/Users/{id}`,
    summary: 'SCIM: one user; id is the Latchkey user id.',
    status: 200,
    params: scimIdParams,
    query: scimListQuery,
    response: scimResource,
  },
  scimReplaceUser: {
    ...scim,
    method: 'PUT',
    path: `${BASE}/Users/{id}`,
    summary: 'SCIM: replaces a user; active:false deprovisions, active:true reactivates.',
    status: 200,
    params: scimIdParams,
    body: scimBody,
    response: scimResource,
  },
  scimPatchUser: {
    ...scim,
    method: 'PATCH',
    path: `${BASE}/Users/{id}`,
    summary: 'SCIM: patches a user (Okta and Entra ID dialects accepted).',
    status: 200,
    params: scimIdParams,
    body: scimBody,
    response: scimResource,
  },
  scimDeleteUser: {
    ...scim,
    method: 'DELETE',
    path: `${BASE}/Users/{id}`,
    summary: 'SCIM: deprovisions the user and removes it from SCIM (404 afterwards).',
    status: 204,
    params: scimIdParams,
    response: noContent,
  },
  scimListGroups: {
    ...scim,
    method: 'GET',
    path: `${BASE}/Groups`,
    summary: 'SCIM: lists groups (teams), with filter and pagination.',
    status: 200,
    query: scimListQuery,
    response: scimResource,
  },
  scimCreateGroup: {
    ...scim,
    method: 'POST',
    path: `${BASE}/Groups`,
    summary: 'SCIM: creates a group (a team).',
    status: 201,
    body: scimBody,
    response: scimResource,
  },
  scimGetGroup: {
    ...scim,
    method: 'GET',
    path: `${BASE}/Groups/{id}`,
    summary: 'SCIM: one group and its members; id is the team id.',
    status: 200,
    params: scimIdParams,
    query: scimListQuery,
    response: scimResource,
  },
  scimReplaceGroup: {
    ...scim,
    method: 'PUT',
    path: `${BASE}/Groups/{id}`,
    summary: 'SCIM: replaces a group and its members.',
    status: 200,
    params: scimIdParams,
    body: scimBody,
    response: scimResource,
  },
  scimPatchGroup: {
    ...scim,
    method: 'PATCH',
    path: `${BASE}/Groups/{id}`,
    summary: 'SCIM: patches a group (rename, add/remove members); 204.',
    status: 204,
    params: scimIdParams,
    body: scimBody,
    response: noContent,
  },
  scimDeleteGroup: {
    ...scim,
    method: 'DELETE',
    path: `${BASE}/Groups/{id}`,
    summary: 'SCIM: deletes a group; its members lose what it shared on their next request.',
    status: 204,
    params: scimIdParams,
    response: noContent,
  },
} as const satisfies Record<string, RouteSpec>;
