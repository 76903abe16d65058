import { deletedResponse, phoneBody, phoneResponse } from '../account-schemas';
import type { RouteSpec } from '../route-spec';
import { idParams } from '../schemas';

const account = { params: idParams, auth: 'trusted', group: 'phone' } as const;

/** The routes that talk to End User Messaging (managed numbers), in their own function. */
export const phoneRoutes = {
  deleteAccount: {
    ...account,
    // Deleting an account releases its number (End User Messaging), so it lives with the phone routes.
    method: 'DELETE',
    path: '/v1/accounts/{id}',
    summary: 'Deletes an account (owners): releases its number and address, deletes its inbox and TOTP.',
    confirm: 'app.remove',
    status: 200,
    response: deletedResponse,
    errors: ['forbidden'],
  },
  provisionPhone: {
    ...account,
    method: 'POST',
    path: '/v1/accounts/{id}/phone-number',
    clientTypes: ['web'],
    summary:
      'Requests a US number that receives SMS for the account (owners, from the web app, when the app ' +
      'supports it). Without `type`, VoIP unless the app refuses VoIP numbers.',
    status: 201,
    body: phoneBody,
    response: phoneResponse,
    errors: ['not_supported', 'already_provisioned', 'client_type_not_allowed'],
  },
  releasePhone: {
    ...account,
    method: 'DELETE',
    path: '/v1/accounts/{id}/phone-number',
    summary: 'Releases the managed number (owners).',
    status: 200,
    response: deletedResponse,
  },
} as const satisfies Record<string, RouteSpec>;
