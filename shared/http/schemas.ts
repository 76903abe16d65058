import { z } from 'zod';
import { USER_STATUSES, WORKSPACE_ROLES } from '../domain/users/model';

/** Response and request shapes shared by several routes. JSON is camelCase; timestamps ISO 8601 UTC. */

export const errorBody = z
  .object({
    error: z.string().describe('Stable machine-readable code, e.g. `validation_failed`.'),
    message: z.string().describe('Human-readable explanation.'),
  })
  .catchall(z.unknown())
  .meta({ id: 'Error' });

export const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    workspaceId: z.string(),
    workspaceRole: z.enum(WORKSPACE_ROLES),
    status: z.enum(USER_STATUSES),
  })
  .meta({ id: 'User' });

export const healthResponse = z.object({ status: z.literal('ok') });
export const meResponse = z.object({ user: userSchema });
