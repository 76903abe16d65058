import { createScimHandler } from '../../shared/http/scim-handler';
import { scimRuntime } from '../../shared/http/scim-runtime';

/** The SCIM 2.0 service provider: its own function, its own auth (the workspace's SCIM token). */
export const handler = createScimHandler(scimRuntime());
