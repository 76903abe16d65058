import { digestsEqual } from './devices/secrets';
import { InvalidCursorError } from './errors';
import type { Hmac } from './ports';

/**
 * The one cursor helper for every list. A cursor is the repository's position (opaque to this
 * helper) sealed with an HMAC over the list name and the caller: a cursor is useless for another
 * list or another user, and anything this API did not hand out is `400 invalid_cursor` before a
 * repository ever sees it.
 */
export interface CursorScope {
  /** Which list: `notifications`, `accounts`, `inbox`, `inbox:<accountId>`. */
  list: string;
  callerId: string;
}

const MAX_CURSOR_LENGTH = 1024;
/** 128 bits of the HMAC are plenty to make a forged cursor a guess. */
const TAG_HEX = 32;

const tagInput = (position: string, scope: CursorScope) =>
  `list-cursor\n${scope.list}\n${scope.callerId}\n${position}`;

export async function sealCursor(
  position: string | null,
  scope: CursorScope,
  hmac: Hmac,
): Promise<string | null> {
  if (position === null) return null;
  const tag = (await hmac.digest(tagInput(position, scope))).slice(0, TAG_HEX);
  return `${Buffer.from(position, 'utf8').toString('base64url')}.${tag}`;
}

export async function openCursor(
  cursor: string | undefined,
  scope: CursorScope,
  hmac: Hmac,
): Promise<string | undefined> {
  if (cursor === undefined || cursor === '') return undefined;
  const match = /^([A-Za-z0-9_-]+)\.([0-9a-f]+)$/.exec(cursor);
  if (!match || cursor.length > MAX_CURSOR_LENGTH) throw new InvalidCursorError();
  const position = Buffer.from(match[1] as string, 'base64url').toString('utf8');
  const expected = (await hmac.digest(tagInput(position, scope))).slice(0, TAG_HEX);
  if (!digestsEqual(match[2] as string, expected)) throw new InvalidCursorError();
  return position;
}

/** A page from a repository, its next position sealed for this caller and list. */
export async function pageFor<T>(
  load: (position: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
  cursor: string | undefined,
  scope: CursorScope,
  hmac: Hmac,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const page = await load(await openCursor(cursor, scope, hmac));
  return { items: page.items, nextCursor: await sealCursor(page.nextCursor, scope, hmac) };
}
