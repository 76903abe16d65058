import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stand-in for `@aws-sdk/credential-provider-node` inside Lambda bundles only (esbuild alias in
 * `infra/constructs/latchkey-function.ts`). Lambda always passes the execution role's credentials in
 * environment variables, so the SSO/INI/IMDS/STS chain (about 90 KB minified) is dead weight there.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
