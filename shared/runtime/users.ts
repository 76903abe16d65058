import { makeAccessLister } from '../adapters/team-access';
import { httpRuntime } from './http';

/** The users group: the HTTP runtime, plus the accounts a deprovisioning event lists (directly and through teams). */
export function usersRuntime() {
  const runtime = httpRuntime();
  return { ...runtime, deps: { ...runtime.deps, ...makeAccessLister(runtime.doc, runtime.tableName) } };
}
