import { deletedResponse } from '../account-schemas';
import type { RouteSpec } from '../route-spec';
import { listQuery } from '../schemas';
import {
  createShareLinkBody,
  createShareLinkResponse,
  openShareLinkBody,
  openShareLinkResponse,
  publicShareLinkResponse,
  shareCodeResponse,
  shareLinkListResponse,
  shareLinkParams,
} from '../share-link-schemas';

/** Public share links: the owner's routes and the recipient's public ones. See docs/share-links.md. */
export const shareLinksRoutes = {
  createShareLink: {
    method: 'POST',
    path: '/v1/share-links',
    group: 'sharelinks',
    auth: 'trusted',
    summary:
      "Shares an account or a secret by link (the object's owner); the key lives only in the URL fragment.",
    confirm: 'items.share_link',
    // The object is in the body: the approval is bound to it, never to the whole workspace.
    confirmBinds: ['resource.type', 'resource.id'],
    status: 201,
    body: createShareLinkBody,
    response: createShareLinkResponse,
    errors: ['forbidden'],
  },
  listShareLinks: {
    method: 'GET',
    path: '/v1/share-links',
    group: 'sharelinks',
    auth: 'trusted',
    summary: "The caller's links, newest first, with their views (time, IP, user agent); 25 a page.",
    status: 200,
    query: listQuery,
    response: shareLinkListResponse,
    errors: ['invalid_cursor'],
  },
  revokeShareLink: {
    method: 'DELETE',
    path: '/v1/share-links/{id}',
    group: 'sharelinks',
    auth: 'trusted',
    params: shareLinkParams,
    summary: 'Revokes one of the caller’s links.',
    status: 200,
    response: deletedResponse,
  },
  describeShareLink: {
    method: 'GET',
    path: '/v1/public/share-links/{id}',
    group: 'sharelinks',
    auth: 'public',
    params: shareLinkParams,
    summary: 'Who shared the link, a masked recipient, expiry; no content. 410 link_invalid when unusable.',
    status: 200,
    response: publicShareLinkResponse,
    errors: ['link_invalid'],
  },
  sendShareLinkCode: {
    method: 'POST',
    path: '/v1/public/share-links/{id}/verification',
    group: 'sharelinks',
    auth: 'public',
    params: shareLinkParams,
    summary: 'Emails a 6-digit code to the recipient address (5 minutes, 5 attempts, single use).',
    status: 202,
    response: shareCodeResponse,
    errors: ['link_invalid', 'share_code_too_soon', 'share_code_limit'],
  },
  openShareLink: {
    method: 'POST',
    path: '/v1/public/share-links/{id}/open',
    group: 'sharelinks',
    auth: 'public',
    params: shareLinkParams,
    summary: 'Checks the code and returns the ciphertext; a one-time link dies here.',
    status: 200,
    body: openShareLinkBody,
    response: openShareLinkResponse,
    errors: ['link_invalid', 'invalid_code'],
  },
} as const satisfies Record<string, RouteSpec>;
