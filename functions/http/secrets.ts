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
import { accessFirst } from '../../shared/http/secrets-access';

const deleted = { deleted: true as const };
const page = (query: { limit?: number | undefined; cursor?: string | undefined }) => ({
  limit: query.limit ?? 50,
  cursor: query.cursor,
});

export const handler = createLazyGroupHandler(
  'secrets',
  secretsRoutes,
  ({ secretDeps: deps }) => ({
    createVault: async ({ caller, body }) => ({
      vault: toVaultView(await createVault(caller, body, deps), 'manager'),
    }),
    listVaults: async ({ caller, query }) => {
      const found = await listVaults(caller, page(query), deps);
      return { items: found.items.map((i) => toVaultView(i.vault, i.role)), nextCursor: found.nextCursor };
    },
    updateVault: async ({ caller, params, body }) => {
      const { vault, role } = await renameVault(caller, params.id, body.name, deps);
      return { vault: toVaultView(vault, role) };
    },
    deleteVault: async ({ caller, params }) => {
      await deleteVault(caller, params.id, deps);
      return deleted;
    },
    listVaultMembers: async ({ caller, params }) => ({
      items: (await listVaultMembers(caller, params.id, deps)).map(toGrantView),
      nextCursor: null,
    }),
    putVaultMember: async ({ caller, params, body }) => ({
      member: toGrantView(await putVaultMember(caller, params.id, params.principalId, body.role, deps)),
    }),
    removeVaultMember: async ({ caller, params }) => {
      await removeVaultMember(caller, params.id, params.principalId, deps);
      return deleted;
    },
    createSecret: async ({ caller, params, body }) => {
      const { secret, role } = await createSecret(caller, params.id, body, deps);
      return { secret: toSecretView(secret, role) };
    },
    listSecrets: async ({ caller, params, query }) => {
      const found = await listSecrets(
        caller,
        params.id,
        { ...page(query), trash: query.trash === 'true' },
        deps,
      );
      // The list is the vault's: a vault viewer reads every secret's metadata as a viewer at least.
      return { items: found.items.map((s) => toSecretView(s, 'viewer')), nextCursor: found.nextCursor };
    },
    getSecret: async ({ caller, params }) => {
      const { secret, role, items } = await viewSecret(caller, params.id, deps);
      return { secret: toSecretWithValues(secret, role, items) };
    },
    updateSecret: async ({ caller, params, body }) => {
      const { secret, role } = await editSecret(caller, params.id, body, deps);
      return { secret: toSecretView(secret, role) };
    },
    deleteSecret: async ({ caller, params }) => ({
      ...deleted,
      ...(await deleteSecret(caller, params.id, deps)),
    }),
    restoreSecret: async ({ caller, params }) => {
      const { secret, role } = await restoreSecret(caller, params.id, deps);
      return { secret: toSecretView(secret, role) };
    },
    secretHistory: async ({ caller, params, query }) => {
      const found = await secretHistory(
        caller,
        params.id,
        { limit: query.limit ?? 10, before: query.before },
        deps,
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
    restoreSecretVersion: async ({ caller, params }) => {
      const { secret, role } = await restoreVersion(caller, params.id, params.version, deps);
      return { secret: toSecretView(secret, role) };
    },
    listSecretMembers: async ({ caller, params }) => ({
      items: (await listSecretMembers(caller, params.id, deps)).map(toGrantView),
      nextCursor: null,
    }),
    putSecretMember: async ({ caller, params, body }) => ({
      member: toGrantView(await putSecretMember(caller, params.id, params.principalId, body.role, deps)),
    }),
    removeSecretMember: async ({ caller, params }) => {
      await removeSecretMember(caller, params.id, params.principalId, deps);
      return deleted;
    },
  }),
  async () => {
    const runtime = (await import('../../shared/runtime/secrets')).secretsRuntime();
    const { secretDeps: deps, options } = runtime;
    return { ...runtime, options: { ...options, confirm: accessFirst(options.confirm, deps) } };
  },
);
