import { DEFAULTS, ENV, positiveIntEnv } from '../../shared/config/env';
import { createGroupHandler } from '../../shared/http/handler';
import { coreRoutes } from '../../shared/http/routes/core';

/** Public, database-free routes, and API Gateway's `$default` catch-all (answered 404 `not_found`). */
export const handler = createGroupHandler(
  'system',
  coreRoutes,
  { health: async () => ({ status: 'ok' as const }) },
  { maxBodyBytes: positiveIntEnv(ENV.maxBodyBytes, DEFAULTS.maxBodyBytes) },
);
