import { SCIM, SCIM_LIMITS } from '../domain/directory/scim-model';

/** The discovery documents of RFC 7644 section 4 (what an IdP reads before it provisions). */

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: [SCIM.serviceProviderConfig],
    documentationUri: 'https://github.com/latchkey/latchkey/blob/main/docs/scim.md',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: SCIM_LIMITS.maxPageSize },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description: 'The workspace SCIM token from POST /v1/workspace/scim-token.',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string) {
  const types = [
    {
      schemas: [SCIM.resourceType],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      schema: SCIM.user,
      schemaExtensions: [{ schema: SCIM.enterprise, required: false }],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
    },
    {
      schemas: [SCIM.resourceType],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      schema: SCIM.group,
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` },
    },
  ];
  return {
    schemas: [SCIM.listResponse],
    totalResults: types.length,
    itemsPerPage: types.length,
    startIndex: 1,
    Resources: types,
  };
}

type Attribute = {
  name: string;
  type?: string;
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: string;
  uniqueness?: string;
  subAttributes?: Attribute[];
};

const attr = (name: string, extra: Partial<Attribute> = {}): Attribute => ({
  name,
  type: 'string',
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  uniqueness: 'none',
  ...extra,
});
const multi = (name: string) =>
  attr(name, {
    type: 'complex',
    multiValued: true,
    subAttributes: [attr('value'), attr('type'), attr('display'), attr('primary', { type: 'boolean' })],
  });

export function schemas() {
  const list = [
    {
      id: SCIM.user,
      name: 'User',
      attributes: [
        attr('userName', { required: true, uniqueness: 'server' }),
        attr('externalId', { caseExact: true, uniqueness: 'server' }),
        attr('name', {
          type: 'complex',
          subAttributes: [
            'formatted',
            'familyName',
            'givenName',
            'middleName',
            'honorificPrefix',
            'honorificSuffix',
          ].map((n) => attr(n)),
        }),
        attr('displayName'),
        attr('nickName'),
        attr('title'),
        attr('userType'),
        attr('preferredLanguage'),
        attr('locale'),
        attr('timezone'),
        attr('active', { type: 'boolean' }),
        multi('emails'),
        multi('phoneNumbers'),
        attr('groups', { type: 'complex', multiValued: true, mutability: 'readOnly' }),
      ],
    },
    {
      id: SCIM.enterprise,
      name: 'EnterpriseUser',
      attributes: ['employeeNumber', 'costCenter', 'organization', 'division', 'department']
        .map((n) => attr(n))
        .concat(
          attr('manager', {
            type: 'complex',
            subAttributes: [attr('value'), attr('displayName', { mutability: 'readOnly' })],
          }),
        ),
    },
    {
      id: SCIM.group,
      name: 'Group',
      attributes: [
        attr('displayName', { required: true }),
        attr('externalId', { caseExact: true, uniqueness: 'server' }),
        attr('members', {
          type: 'complex',
          multiValued: true,
          subAttributes: [attr('value', { caseExact: true }), attr('display'), attr('type')],
        }),
      ],
    },
  ].map((schema) => ({ schemas: [SCIM.schema], ...schema, meta: { resourceType: 'Schema' } }));
  return {
    schemas: [SCIM.listResponse],
    totalResults: list.length,
    itemsPerPage: list.length,
    startIndex: 1,
    Resources: list,
  };
}
