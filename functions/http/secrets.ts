import {
  createSecret,
  createVault,
  deleteSecret,
  deleteVault,
  editSecret,
  listSecretMembers,
  listSecrets,
  listVaultMembers,
  listVaults,
  putSecretMember,
  putVaultMember,
  removeSecretMember,
  removeVaultMember,
  renameVault,
  restoreSecret,
  restoreVersion,
  secretHistory,
  viewSecret,
} from '../../shared/domain/secrets/use-cases';
import { createLazyGroupHandler } from '../../shared/http/handler';
import { secretsRoutes } from '../../shared/http/routes/secrets';
import { toGrantView, toSecretView, toSecretWithValues, toVaultView } from '../../shared/http/secret-schemas';
import { accessFirst, forRequest } from '../../shared/http/secrets-access';

const deleted = { deleted: true as const };
const page = (query: { limit?: number | undefined; cursor?: string | undefined }) => ({
  limit: query.limit ?? 50,
  cursor: query.cursor,
});

export const handler = createLazyGroupHandler(
  'secrets',
  secretsRoutes,
  ({ secretDeps }) => ({
    createVault: async ({ event, caller, body }) => ({
      vault: toVaultView(await createVault(caller, body, forRequest(secretDeps, event)), 'manager'),
    }),
    listVaults: async ({ event, caller, query }) => {
      const found = await listVaults(caller, page(query), forRequest(secretDeps, event));
      return { items: found.items.map((i) => toVaultView(i.vault, i.role)), nextCursor: found.nextCursor };
    },
    updateVault: async ({ event, caller, params, body }) => {
      const { vault, role } = await renameVault(caller, params.id, body.name, forRequest(secretDeps, event));
      return { vault: toVaultView(vault, role) };
    },
    deleteVault: async ({ event, caller, params }) => {
      await deleteVault(caller, params.id, forRequest(secretDeps, event));
      return deleted;
    },
    listVaultMembers: async ({ event, caller, params }) => ({
      items: (await listVaultMembers(caller, params.id, forRequest(secretDeps, event))).map(toGrantView),
      nextCursor: null,
    }),
    putVaultMember: async ({ event, caller, params, body }) => ({
      member: toGrantView(
        await putVaultMember(caller, params.id, params.principalId, body.role, forRequest(secretDeps, event)),
      ),
    }),
    removeVaultMember: async ({ event, caller, params }) => {
      await removeVaultMember(caller, params.id, params.principalId, forRequest(secretDeps, event));
      return deleted;
    },
    createSecret: async ({ event, caller, params, body }) => {
      const { secret, role } = await createSecret(caller, params.id, body, forRequest(secretDeps, event));
      return { secret: toSecretView(secret, role) };
    },
    listSecrets: async ({ event, caller, params, query }) => {
      const found = await listSecrets(
        caller,
        params.id,
        { ...page(query), trash: query.trash === 'true' },
        forRequest(secretDeps, event),
      );
      // The list is the vault's: a vault viewer reads every secret's metadata as a viewer at least.
      return { items: found.items.map((s) => toSecretView(s, 'viewer')), nextCursor: found.nextCursor };
    },
    getSecret: async ({ event, caller, params }) => {
      const { secret, role, items } = await viewSecret(caller, params.id, forRequest(secretDeps, event));
      return { secret: toSecretWithValues(secret, role, items) };
    },
    updateSecret: async ({ event, caller, params, body }) => {
      const { secret, role } = await editSecret(caller, params.id, body, forRequest(secretDeps, event));
      return { secret: toSecretView(secret, role) };
    },
    deleteSecret: async ({ event, caller, params }) => ({
      ...deleted,
      ...(await deleteSecret(caller, params.id, forRequest(secretDeps, event))),
    }),
    restoreSecret: async ({ event, caller, params }) => {
      const { secret, role } = await restoreSecret(caller, params.id, forRequest(secretDeps, event));
      return { secret: toSecretView(secret, role) };
    },
    secretHistory: async ({ event, caller, params, query }) => {
      const found = await secretHistory(
        caller,
        params.id,
        { limit: query.limit ?? 10, before: query.before },
        forRequest(secretDeps, event),
      );
      return {
        items: found.items.map(({ version, items }) => ({
          version: version.version,
          name: version.name,
          items,
          createdBy: version.createdBy,
          createdAt: version.createdAt,
          ...(version.restoredFrom !== undefined ? { restoredFrom: version.restoredFrom } : {}),
        })),
        nextBefore: found.nextBefore,
      };
    },
    restoreSecretVersion: async ({ event, caller, params }) => {
      const { secret, role } = await restoreVersion(
        caller,
        params.id,
        params.version,
        forRequest(secretDeps, event),
      );
      return { secret: toSecretView(secret, role) };
    },
    listSecretMembers: async ({ event, caller, params }) => ({
      items: (await listSecretMembers(caller, params.id, forRequest(secretDeps, event))).map(toGrantView),
      nextCursor: null,
    }),
    putSecretMember: async ({ event, caller, params, body }) => ({
      member: toGrantView(
        await putSecretMember(
          caller,
          params.id,
          params.principalId,
          body.role,
          forRequest(secretDeps, event),
        ),
      ),
    }),
    removeSecretMember: async ({ event, caller, params }) => {
      await removeSecretMember(caller, params.id, params.principalId, forRequest(secretDeps, event));
      return deleted;
    },
  }),
  async () => {
    const runtime = (await import('../../shared/runtime/secrets')).secretsRuntime();
    const { secretDeps: deps, options } = runtime;
    return { ...runtime, options: { ...options, confirm: accessFirst(options.confirm, deps) } };
  },
);
