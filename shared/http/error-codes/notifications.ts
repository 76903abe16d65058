import { PreferenceLockedError, TypeDisabledError } from '../../domain/notifications/errors';
import type { ErrorMapping } from './types';

export const NOTIFICATION_ERRORS: readonly ErrorMapping[] = [
  [PreferenceLockedError, 409, 'preference_locked'],
  [TypeDisabledError, 409, 'type_disabled'],
];
