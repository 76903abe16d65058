import { describe, expect, it } from 'vitest';
import { actionOf, resourceOf } from '../../../shared/domain/identity/actions';
import { confirmationParams } from '../../../shared/http/identity-confirmation';
import { listRoutes, type RouteSpec } from '../../../shared/http/routes';

describe('identity confirmation binding', () => {
  it('binds a body-named object: two accounts give two resources, neither the workspace', () => {
    const route = listRoutes().find((r) => r.id === 'createShareLink');
    if (!route) throw new Error('createShareLink missing');
    const bind = (id: string) =>
      resourceOf(
        'items.share_link',
        confirmationParams(route, {}, { resource: { type: 'account', id }, recipientEmail: 'x@y.z' }),
        'ws_1',
      );

    expect(bind('acc_1')).toBe('body.resource.id=acc_1&body.resource.type=account');
    expect(bind('acc_2')).not.toBe(bind('acc_1'));
    expect(bind('acc_1')).not.toContain('workspace=');
  });

  it('binds a missing named field as empty, never to the whole workspace', () => {
    const route = listRoutes().find((r) => r.id === 'createShareLink');
    if (!route) throw new Error('createShareLink missing');

    expect(resourceOf('items.share_link', confirmationParams(route, {}, {}), 'ws_1')).toBe(
      'body.resource.id=&body.resource.type=',
    );
  });

  it('gives every route-scoped confirmed route an object: path parameters or confirmBinds', () => {
    const unbound = listRoutes().filter((route) => {
      const spec: RouteSpec = route;
      return (
        spec.confirm !== undefined &&
        actionOf(spec.confirm).scope === 'route' &&
        !spec.path.includes('{') &&
        !spec.confirmBinds?.length
      );
    });

    expect(unbound.map((route) => route.id)).toEqual([]);
  });
});
