import { builtinModules } from 'node:module';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ApiError, createClient, routePath } from '../../../shared/http/client';

describe('the typed client', () => {
  it('bundles for the browser without any Node module', async () => {
    const reached: string[] = [];
    const result = await build({
      entryPoints: ['shared/http/client.ts'],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      logLevel: 'silent',
      plugins: [
        {
          name: 'node-builtins',
          setup(plugin) {
            const builtins = new Set(builtinModules);
            plugin.onResolve({ filter: /.*/ }, (args) => {
              if (args.path.startsWith('node:') || builtins.has(args.path)) {
                reached.push(`${args.path} from ${args.importer}`);
                return { path: args.path, external: true };
              }
              return undefined;
            });
          },
        },
      ],
    });

    expect(result.errors).toEqual([]);
    expect(reached).toEqual([]);
  });

  it('fills and encodes path parameters, and refuses a missing one', () => {
    expect(routePath('/v1/devices/{id}/verify', { id: 'a b/c' })).toBe('/v1/devices/a%20b%2Fc/verify');
    expect(() => routePath('/v1/devices/{id}', {})).toThrow('missing path parameter id');
  });

  it('sends the route method, path, JSON body and headers, and returns the body', async () => {
    const seen: Array<{ url: string; init: RequestInit | undefined }> = [];
    const api = createClient({
      baseUrl: 'http://api.test',
      headers: () => ({ authorization: 'Bearer t' }),
      fetch: async (url, init) => {
        seen.push({ url: String(url), init });
        return new Response(JSON.stringify({ device: { id: 'd1', status: 'trusted' } }), { status: 200 });
      },
    });

    const answer = await api.call('renameDevice', {
      params: { id: 'd1' },
      body: { name: 'Work laptop' },
      headers: { 'x-latchkey-confirmation': 'c1' },
    });

    expect(answer.device.id).toBe('d1');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('http://api.test/v1/devices/d1');
    expect(seen[0]?.init).toMatchObject({
      method: 'PATCH',
      body: '{"name":"Work laptop"}',
      headers: {
        authorization: 'Bearer t',
        'content-type': 'application/json',
        'x-latchkey-confirmation': 'c1',
      },
    });
  });

  it('throws an ApiError carrying the stable code, the message and the whole body', async () => {
    const api = createClient({
      baseUrl: '',
      fetch: async () =>
        new Response(
          JSON.stringify({
            error: 'identity_confirmation_required',
            message: 'Confirm it.',
            challenge: { id: 'c' },
          }),
          { status: 403 },
        ),
    });

    const error = await api.call('getMe').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 403,
      code: 'identity_confirmation_required',
      message: 'Confirm it.',
      body: { challenge: { id: 'c' } },
    });
  });

  it('turns a non-JSON error answer into a readable ApiError', async () => {
    const api = createClient({
      baseUrl: '',
      fetch: async () => new Response('<html>bad gateway', { status: 502 }),
    });

    const error = await api.call('health').catch((caught: unknown) => caught);

    expect(error).toMatchObject({ status: 502, code: 'invalid_response' });
  });
});
