import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '../domain/ports';

/** Opaque ids: a type prefix and 128 random bits, URL-safe. */
export const newId: IdGenerator = (prefix) => `${prefix}_${randomBytes(16).toString('base64url')}`;

export const systemClock = { now: () => new Date() };
