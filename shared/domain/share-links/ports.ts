import type { DomainEvent } from '../events';
import type { ShareLink, ShareLinkView, ShareResource } from './model';

export interface ShareLinkRepository {
  create(link: ShareLink): Promise<void>;
  get(linkId: string): Promise<ShareLink | undefined>;
  /** The owner's links, newest first; `cursor` is the position a previous page returned. */
  listByOwner(
    ownerId: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<{ items: ShareLink[]; nextCursor: string | null }>;
  views(linkId: string): Promise<ShareLinkView[]>;
  /** Stores a new code while the link lives, outside the cooldown and under the per-link cap. */
  storeCode(
    linkId: string,
    code: { hmac: string; expiresAt: string },
    now: Date,
    limits: { cooldownSeconds: number; maxSends: number },
    /** Outbox events written in the same transaction (the code's email). */
    events?: DomainEvent[],
  ): Promise<'applied' | 'conflict'>;
  /** Counts one request from an IP in this hour; false over the cap (one conditional write). */
  countIp(ip: string, now: Date, max: number): Promise<boolean>;
  /** One wrong attempt on the current code, while fewer than `max` were made. */
  recordFailure(linkId: string, max: number): Promise<void>;
  /**
   * Consumes the code and counts the view in one conditional transaction: the link is live, the code
   * is this one, unexpired and under the attempt cap. A one-time link becomes `used` and loses its
   * ciphertext in the same write, so of concurrent opens exactly one succeeds.
   */
  consume(
    link: ShareLink,
    codeHmac: string,
    view: ShareLinkView,
    now: Date,
    maxAttempts: number,
  ): Promise<'applied' | 'conflict'>;
  /** Revokes a live link of this owner; drops its ciphertext. */
  revoke(linkId: string, ownerId: string): Promise<'applied' | 'conflict'>;
  /** Revokes every live link of an object (deleted object, changed password). */
  revokeForResource(resource: ShareResource): Promise<number>;
  /** Revokes every live link a user owns (deprovisioning). */
  revokeForOwner(ownerId: string): Promise<number>;
}
