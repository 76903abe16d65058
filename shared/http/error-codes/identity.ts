import {
  ChallengeExpiredError,
  ChallengeNotPendingError,
  EmailLimitReachedError,
  IdentityConfirmationRequiredError,
  InvalidIdentitySettingsError,
  LinkInvalidError,
  MethodNotAvailableError,
  NoConfirmationMethodError,
  PushLimitReachedError,
  RequestingDeviceAnswerError,
  TooManyChallengesError,
  WrongNumberError,
} from '../../domain/identity/errors';
import type { ErrorMapping } from './types';

export const IDENTITY_ERRORS: readonly ErrorMapping[] = [
  [IdentityConfirmationRequiredError, 403, 'identity_confirmation_required'],
  [NoConfirmationMethodError, 409, 'no_confirmation_method'],
  [TooManyChallengesError, 429, 'too_many_challenges'],
  [ChallengeNotPendingError, 409, 'challenge_not_pending'],
  [ChallengeExpiredError, 410, 'challenge_expired'],
  [WrongNumberError, 400, 'wrong_number'],
  [RequestingDeviceAnswerError, 403, 'requesting_device_cannot_answer'],
  [MethodNotAvailableError, 409, 'method_not_available'],
  [PushLimitReachedError, 429, 'push_limit_reached'],
  [EmailLimitReachedError, 429, 'email_limit_reached'],
  [LinkInvalidError, 410, 'link_invalid'],
  [InvalidIdentitySettingsError, 400, 'invalid_settings'],
];
