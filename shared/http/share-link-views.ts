import type * as zc from 'zod/v4/core';
import { maskRecipient, type ShareLink, type ShareLinkView } from '../domain/share-links/model';
import type { shareLinkSchema } from './share-link-schemas';

/** The owner's view of a link: never the ciphertext or the code. */
export function toShareLinkView(
  link: ShareLink,
  views: ShareLinkView[],
  now: Date,
): zc.input<typeof shareLinkSchema> {
  const status = link.status === 'active' && link.expiresAt <= now.toISOString() ? 'expired' : link.status;
  return {
    id: link.id,
    resource: link.resource,
    recipient: maskRecipient(link.recipientEmail),
    oneTime: link.oneTime,
    status,
    expiresAt: link.expiresAt,
    createdAt: link.createdAt,
    views,
  };
}
