import { NOTIFICATION_TYPES, type NotificationType } from './catalogue';

export interface WorkspaceTypeSetting {
  enabled: boolean;
  enforced: boolean;
}
export type WorkspaceNotificationSettings = Record<NotificationType, WorkspaceTypeSetting>;
export type StoredWorkspaceSettings = Partial<Record<NotificationType, WorkspaceTypeSetting>>;
export type StoredPreferences = Partial<Record<NotificationType, { enabled: boolean }>>;

export const DEFAULT_WORKSPACE_SETTING: WorkspaceTypeSetting = { enabled: true, enforced: false };

/** Every type with its workspace setting; types never configured are enabled and not enforced. */
export function workspaceSettings(stored: StoredWorkspaceSettings): WorkspaceNotificationSettings {
  return Object.fromEntries(
    NOTIFICATION_TYPES.map((type) => [type, { ...DEFAULT_WORKSPACE_SETTING, ...stored[type] }]),
  ) as WorkspaceNotificationSettings;
}

/**
 * The one rule, for the sender and the settings screens alike: deliver when the workspace has the type
 * enabled and it is either enforced or the user's preference is on (preferences default to on).
 */
export function shouldDeliver(
  setting: WorkspaceTypeSetting,
  preference: { enabled: boolean } | undefined,
): boolean {
  return setting.enabled && (setting.enforced || (preference?.enabled ?? true));
}

export interface EffectivePreference {
  enabled: boolean;
  /** The workspace has the type on. */
  available: boolean;
  /** The workspace enforces it: the user cannot turn it off. */
  locked: boolean;
}

export function effectivePreferences(
  settings: WorkspaceNotificationSettings,
  stored: StoredPreferences,
): Record<NotificationType, EffectivePreference> {
  return Object.fromEntries(
    NOTIFICATION_TYPES.map((type) => {
      const setting = settings[type];
      return [
        type,
        {
          enabled: shouldDeliver(setting, stored[type]),
          available: setting.enabled,
          locked: setting.enabled && setting.enforced,
        },
      ];
    }),
  ) as Record<NotificationType, EffectivePreference>;
}
