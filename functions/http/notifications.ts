import {
  getMyPreferences,
  getWorkspaceNotificationSettings,
  listMyNotifications,
  updateMyPreferences,
  updateWorkspaceNotificationSettings,
} from '../../shared/domain/notifications/use-cases';
import { createLazyGroupHandler } from '../../shared/http/handler';
import { notificationsRoutes } from '../../shared/http/routes/notifications';

export const handler = createLazyGroupHandler(
  'notifications',
  notificationsRoutes,
  ({ deps }) => ({
    getWorkspaceNotificationSettings: async ({ caller }) => ({
      settings: await getWorkspaceNotificationSettings(caller, deps),
    }),
    updateWorkspaceNotificationSettings: async ({ caller, body }) => ({
      settings: await updateWorkspaceNotificationSettings(caller, body, deps),
    }),
    getMyNotificationPreferences: async ({ caller }) => ({
      preferences: await getMyPreferences(caller, deps),
    }),
    updateMyNotificationPreferences: async ({ caller, body }) => ({
      preferences: await updateMyPreferences(caller, body, deps),
    }),
    listMyNotifications: async ({ caller, query }) =>
      listMyNotifications(caller, { limit: query.limit ?? 20, cursor: query.cursor }, deps),
  }),
  () => import('../../shared/runtime/http').then((runtime) => runtime.httpRuntime()),
);
