import {
  approveDevice,
  denyDevice,
  disableDevice,
  listDevices,
  registerDevice,
  renameDevice,
  resendDeviceCode,
  verifyDevice,
} from '../../shared/domain/devices/use-cases';
import { deviceCookieOnRegistration } from '../../shared/http/device-cookie';
import { createGroupHandler } from '../../shared/http/handler';
import { devicesRoutes } from '../../shared/http/routes/devices';
import { httpRuntime } from '../../shared/http/runtime';
import { toDeviceView } from '../../shared/http/views';

const { deps, options } = httpRuntime();

export const handler = createGroupHandler(
  'devices',
  devicesRoutes,
  {
    registerDevice: async ({ caller, body }) => {
      const registration = await registerDevice(caller, body, deps);
      return { ...registration, device: toDeviceView(registration.device, registration.device.id) };
    },
    getCurrentDevice: async ({ device }) => ({ device: toDeviceView(device, device.id) }),
    listDevices: async ({ caller, device }) => ({
      items: (await listDevices(caller, deps)).map((item) => toDeviceView(item, device.id)),
      nextCursor: null,
    }),
    verifyDevice: async ({ caller, device, params, body }) => ({
      device: toDeviceView(await verifyDevice(caller, device, params.id, body.code, deps), device.id),
    }),
    resendDeviceCode: async ({ caller, device, params }) => ({
      verification: await resendDeviceCode(caller, device, params.id, deps),
    }),
    approveDevice: async ({ caller, device, params }) => ({
      device: toDeviceView(await approveDevice(caller, device, params.id, deps), device.id),
    }),
    denyDevice: async ({ caller, device, params }) => ({
      device: toDeviceView(await denyDevice(caller, device, params.id, deps), device.id),
    }),
    disableDevice: async ({ caller, device, params }) => ({
      device: toDeviceView(await disableDevice(caller, device, params.id, deps), device.id),
    }),
    renameDevice: async ({ caller, device, params, body }) => ({
      device: toDeviceView(await renameDevice(caller, params.id, body.name, deps), device.id),
    }),
  },
  options,
).use(deviceCookieOnRegistration());
