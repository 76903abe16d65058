import { createScimHandler } from '../../shared/http/scim-handler';
import { lazyHandler } from '../../shared/runtime/external-adapters';

/**
 * The SCIM 2.0 service provider: its own function, its own auth (the workspace's SCIM token). Its
 * dependencies load on the first request (module-load budget).
 */
export const handler = lazyHandler(async () =>
  createScimHandler((await import('../../shared/runtime/scim')).scimRuntime()),
);
