import {
  appListResponse,
  appWebhookBody,
  appWebhookParams,
  appWebhookResponse,
  passwordHistoryResponse,
  passwordVersionResponse,
  rotationListResponse,
  rotationParams,
  rotationPolicyBody,
  rotationPolicyResponse,
  rotationResponse,
  versionParams,
} from '../rotation-schemas';
import type { RouteSpec } from '../route-spec';
import { deletedResponse, idParams } from '../schemas';

const account = { params: idParams, auth: 'trusted', group: 'accounts' } as const;
const appWebhook = {
  path: '/v1/apps/{appId}/webhook',
  params: appWebhookParams,
  group: 'accounts',
  auth: 'trusted',
  clientTypes: ['web'],
  roles: ['owner', 'super_admin', 'admin'],
} as const;

/** The apps catalogue, password rotations and history, rotation policies and one-click MFA. */
export const rotationRoutes = {
  listApps: {
    method: 'GET',
    path: '/v1/apps',
    group: 'accounts',
    auth: 'trusted',
    summary:
      'The catalogue of supported apps: capabilities, login URL and password rules. An account naming ' +
      'an `appId` gets the catalogue’s capabilities over those recorded on it.',
    status: 200,
    response: appListResponse,
  },
  getAppWebhook: {
    ...appWebhook,
    method: 'GET',
    summary:
      'The workspace’s webhook connector for an app Latchkey does not automate, without its secret (admins).',
    status: 200,
    response: appWebhookResponse,
    errors: ['forbidden', 'app_has_connector'],
  },
  putAppWebhook: {
    ...appWebhook,
    method: 'PUT',
    confirm: 'app.webhook.manage',
    summary:
      'Sets the app’s webhook connector (admins, trusted web, confirmed): rotations of its accounts are sent, ' +
      'signed, to this HTTPS endpoint. A signing secret is generated on creation or with `rotateSecret`, ' +
      'returned once and stored sealed.',
    status: 200,
    body: appWebhookBody,
    response: appWebhookResponse,
    errors: [
      'forbidden',
      'identity_confirmation_required',
      'app_has_connector',
      'webhook_url_refused',
      'webhook_conflict',
    ],
  },
  deleteAppWebhook: {
    ...appWebhook,
    method: 'DELETE',
    confirm: 'app.webhook.manage',
    summary: 'Removes the app’s webhook connector (admins, trusted web, confirmed); its secret is deleted.',
    status: 200,
    response: deletedResponse,
    errors: ['forbidden', 'identity_confirmation_required', 'app_has_connector'],
  },
  startRotation: {
    ...account,
    method: 'POST',
    path: '/v1/accounts/{id}/rotations',
    clientTypes: ['web'],
    summary:
      'Rotates the password through the app’s connector (owners, trusted web). One at a time per account.',
    status: 202,
    response: rotationResponse,
    errors: ['forbidden', 'rotation_in_progress', 'rotation_not_supported'],
  },
  listRotations: {
    ...account,
    method: 'GET',
    path: '/v1/accounts/{id}/rotations',
    summary: 'The account’s rotations and MFA enrolments, newest first (members).',
    status: 200,
    response: rotationListResponse,
  },
  getRotation: {
    ...account,
    method: 'GET',
    path: '/v1/accounts/{id}/rotations/{rotationId}',
    params: rotationParams,
    summary: 'One rotation: status, step, attempts, the steps taken and the error (members).',
    status: 200,
    response: rotationResponse,
  },
  listPasswordHistory: {
    ...account,
    method: 'GET',
    path: '/v1/accounts/{id}/password-history',
    summary: 'The password versions, newest first, without the passwords (owners).',
    status: 200,
    response: passwordHistoryResponse,
    errors: ['forbidden'],
  },
  viewPasswordVersion: {
    ...account,
    method: 'GET',
    path: '/v1/accounts/{id}/password-history/{version}',
    params: versionParams,
    confirm: 'password.history.view',
    summary: 'One password version (owners; always confirmed: `password.history.view`).',
    status: 200,
    response: passwordVersionResponse,
    errors: ['forbidden'],
  },
  getRotationPolicy: {
    ...account,
    method: 'GET',
    path: '/v1/accounts/{id}/rotation-policy',
    summary:
      'The rotation policy in force: the account’s own, else the workspace default, else the built-in one.',
    status: 200,
    response: rotationPolicyResponse,
  },
  putRotationPolicy: {
    ...account,
    method: 'PUT',
    path: '/v1/accounts/{id}/rotation-policy',
    summary: 'Sets the account’s rotation policy (owners); the app’s password rules bound the generator.',
    status: 200,
    body: rotationPolicyBody,
    response: rotationPolicyResponse,
    errors: ['forbidden', 'rotation_not_supported'],
  },
  getWorkspaceRotationPolicy: {
    method: 'GET',
    path: '/v1/workspace/rotation-policy',
    group: 'accounts',
    auth: 'trusted',
    summary: 'The workspace’s default rotation policy (accounts without their own use it).',
    status: 200,
    response: rotationPolicyResponse,
  },
  putWorkspaceRotationPolicy: {
    method: 'PUT',
    path: '/v1/workspace/rotation-policy',
    group: 'accounts',
    auth: 'trusted',
    roles: ['owner', 'super_admin', 'admin'],
    summary: 'Sets the workspace’s default rotation policy (admins).',
    status: 200,
    body: rotationPolicyBody,
    response: rotationPolicyResponse,
  },
  startMfaEnrollment: {
    ...account,
    method: 'POST',
    path: '/v1/accounts/{id}/mfa-enrollment',
    summary:
      'Has the connector turn on TOTP at the app (owners); the new seed is sealed before the app is told.',
    status: 202,
    response: rotationResponse,
    errors: ['forbidden', 'rotation_in_progress', 'rotation_not_supported', 'mfa_already_enrolled'],
  },
} as const satisfies Record<string, RouteSpec>;
