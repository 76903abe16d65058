import { createGroupHandler } from '../../shared/http/handler';
import { httpRuntime } from '../../shared/http/runtime';
import { toUserView } from '../../shared/http/views';

const { options } = httpRuntime();

export const handler = createGroupHandler(
  'users',
  { getMe: async ({ caller }) => ({ user: toUserView(caller) }) },
  options,
);
