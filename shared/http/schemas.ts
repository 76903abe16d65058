import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { USER_STATUSES, WORKSPACE_ROLES } from '../domain/users/model';

/**
 * Request and response shapes. Runtime schemas use `zod/mini` (about 18 KB bundled against 84 KB for
 * classic zod; see the bundle budget in the README); `z.config(en())` keeps readable messages.
 * JSON is camelCase; timestamps ISO 8601 UTC; ids opaque strings.
 */
z.config(en());

export const errorBody = z
  .catchall(
    z.object({
      error: z.string().check(z.describe('Stable machine-readable code, e.g. `validation_failed`.')),
      message: z.string().check(z.describe('Human-readable explanation.')),
    }),
    z.unknown(),
  )
  .register(z.globalRegistry, { id: 'Error' });

export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    workspaceId: z.string(),
    workspaceRole: z.enum(WORKSPACE_ROLES),
    status: z.enum(USER_STATUSES),
  })
  .register(z.globalRegistry, { id: 'User' });

export const healthResponse = z.object({ status: z.literal('ok') });
export const meResponse = z.object({ user: userSchema });

/** Display names: trimmed, 1-100 characters, no control characters. */
export const displayName = z
  .string()
  .check(
    z.trim(),
    z.minLength(1),
    z.maxLength(100),
    z.regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'),
  );
export const updateMeBody = z.strictObject({ name: displayName });
