import { joseDeviceKeys } from '../adapters/jose/device-keys';
import type { DeviceDeps } from '../domain/devices/use-cases';
import { httpRuntime } from './http';

/**
 * The HTTP runtime plus the device-key codec (jose: public keys checked at registration, login
 * grants sealed to them): only the groups that handle device keys carry it (bundle budget).
 */
export function withDeviceKeys<R extends ReturnType<typeof httpRuntime>>(runtime: R) {
  const deps = { ...runtime.deps, deviceKeys: joseDeviceKeys } satisfies DeviceDeps;
  return { ...runtime, deps };
}

export const devicesRuntime = () => withDeviceKeys(httpRuntime());
