import {
  approveDevice,
  currentDevice,
  denyDevice,
  disableDevice,
  listDevicesFor,
  registerDevice,
  renameDevice,
  resendDeviceCode,
  setDevicePublicKey,
  switchToCode,
  verifyDevice,
} from '../../shared/domain/devices/use-cases';
import { deviceCookieOnRegistration } from '../../shared/http/device-cookie';
import { createLazyGroupHandler } from '../../shared/http/handler';
import { devicesRoutes } from '../../shared/http/routes/devices';
import { toDeviceSummary, toDeviceView } from '../../shared/http/views';

export const handler = createLazyGroupHandler(
  'devices',
  devicesRoutes,
  ({ deps }) => ({
    registerDevice: async ({ caller, body }) => {
      const registration = await registerDevice(caller, body, deps);
      const { device } = registration;
      return { ...registration, device: toDeviceView(device, device.id, { numberToMatch: true }) };
    },
    getCurrentDevice: async ({ device }) => ({
      device: toDeviceView(currentDevice(device, deps), device.id, { numberToMatch: true }),
    }),
    listDevices: async ({ caller, device }) => {
      const { devices, reduced } = await listDevicesFor(caller, device, deps);
      return {
        items: devices.map((item) =>
          reduced ? toDeviceSummary(item, device.id) : toDeviceView(item, device.id, { candidates: true }),
        ),
        nextCursor: null,
        reduced,
      };
    },
    verifyDevice: async ({ caller, device, params, body }) => ({
      device: toDeviceView(await verifyDevice(caller, device, params.id, body.code, deps), device.id),
    }),
    resendDeviceCode: async ({ caller, device, params }) => ({
      verification: await resendDeviceCode(caller, device, params.id, deps),
    }),
    switchDeviceToCode: async ({ caller, device, params }) => ({
      verification: await switchToCode(caller, device, params.id, deps),
    }),
    approveDevice: async ({ caller, device, params, body }) => ({
      device: toDeviceView(await approveDevice(caller, device, params.id, body.number, deps), device.id),
    }),
    denyDevice: async ({ caller, device, params, body }) => ({
      device: toDeviceView(
        await denyDevice(caller, device, params.id, body?.report ?? false, deps),
        device.id,
      ),
    }),
    disableDevice: async ({ caller, device, params }) => ({
      device: toDeviceView(await disableDevice(caller, device, params.id, deps), device.id),
    }),
    setDevicePublicKey: async ({ caller, device, params, body }) => ({
      device: toDeviceView(
        await setDevicePublicKey(caller, device, params.id, body.publicKey, deps),
        device.id,
      ),
    }),
    renameDevice: async ({ caller, device, params, body }) => ({
      device: toDeviceView(await renameDevice(caller, params.id, body.name, deps), device.id),
    }),
  }),
  () => import('../../shared/runtime/devices').then((runtime) => runtime.devicesRuntime()),
).use(deviceCookieOnRegistration());
