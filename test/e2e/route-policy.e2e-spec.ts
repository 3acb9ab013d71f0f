import { AuthService } from 'src/auth/auth.service';
import type { Role } from 'src/auth/entities/user.entity';
import { UsersService } from 'src/auth/users.service';
import { ROLES } from 'src/auth/entities/user.entity';
import { API_PREFIX } from 'src/bootstrap';
import { AppRoute, collectRoutes, concretePath } from '../support/routes';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The route × role matrix, generated from the router: a route added by any later module is covered
 * here without editing this file.
 */
describe('route × role matrix (e2e)', () => {
  let t: TestApp;
  let routes: AppRoute[];
  const tokens = new Map<Role, string>();
  const userIds = new Map<Role, string>();

  /** Another session for the role's user, without the cost of a password check. */
  async function freshToken(role: Role): Promise<string> {
    const user = await t.app.get(UsersService).get(userIds.get(role)!);
    return (await t.app.get(AuthService).login(user, '127.0.0.1')).accessToken;
  }

  beforeAll(async () => {
    t = await startTestApp();
    routes = collectRoutes(t.app, API_PREFIX);
    for (const role of ROLES) {
      const user = await t.userWithToken(role);
      tokens.set(role, user.token);
      userIds.set(role, user.id);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  async function call(route: AppRoute, token?: string): Promise<number> {
    const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
    const res = await t.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: route.method,
        url: concretePath(route),
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(hasBody ? { 'content-type': 'application/json' } : {}),
        },
        ...(hasBody ? { payload: '{}' } : {}),
      });
    return res.statusCode;
  }

  const label = (r: AppRoute): string => `${r.method} ${r.path} (${r.handler})`;
  const nonPublic = (): AppRoute[] => routes.filter((r) => r.policy?.kind !== 'public');
  const deniedTo = (role: Role): AppRoute[] =>
    routes.filter((r) => r.policy?.kind === 'roles' && !r.policy.roles.includes(role));

  it('finds the routes of every foundation controller in the router', () => {
    const handlers = routes.map((r) => r.handler);
    expect(handlers).toEqual(
      expect.arrayContaining([
        'AuthController.login',
        'UsersController.create',
        'MembersController.import',
        'AuditController.verify',
        'HealthController.check',
      ]),
    );
    expect(routes.length).toBeGreaterThanOrEqual(17);
  });

  it('gives every route an explicit access policy', () => {
    const missing = routes.filter((r) => r.policy === undefined).map(label);
    expect(missing).toEqual([]);
  });

  it('answers 401 to an anonymous caller on every non-public route', async () => {
    const wrong: string[] = [];
    for (const route of nonPublic()) {
      const status = await call(route);
      if (status !== 401) {
        wrong.push(`${label(route)} → ${status}`);
      }
    }
    expect(nonPublic().length).toBeGreaterThan(10);
    expect(wrong).toEqual([]);
  });

  it('answers 401 to a caller with a garbage bearer token on every non-public route', async () => {
    const wrong: string[] = [];
    for (const route of nonPublic()) {
      const status = await call(route, 'not.a.token');
      if (status !== 401) {
        wrong.push(`${label(route)} → ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each(['member', 'jury'] as const)(
    'answers 403 to a %s on every route their role is not allowed',
    async (role) => {
      const denied = deniedTo(role);
      expect(denied.length).toBeGreaterThan(5);
      const wrong: string[] = [];
      for (const route of denied) {
        const status = await call(route, tokens.get(role));
        if (status !== 403) {
          wrong.push(`${label(route)} → ${status}`);
        }
      }
      expect(wrong).toEqual([]);
    },
  );

  it('lets an admin through the guard on every admin route', async () => {
    const adminRoutes = routes.filter(
      (r) => r.policy?.kind === 'roles' && r.policy.roles.includes('admin'),
    );
    expect(adminRoutes.length).toBeGreaterThan(5);
    const wrong: string[] = [];
    for (const route of adminRoutes) {
      const status = await call(route, tokens.get('admin'));
      if (status === 401 || status === 403 || status >= 500) {
        wrong.push(`${label(route)} → ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lets every role through the guard on routes open to any logged-in caller', async () => {
    const open = routes.filter((r) => r.policy?.kind === 'authenticated');
    expect(open.length).toBeGreaterThan(0);
    const wrong: string[] = [];
    for (const route of open) {
      for (const role of ROLES) {
        // A fresh session each time: some of these routes (logout) end the session they are called with.
        const status = await call(route, await freshToken(role));
        if (status === 401 || status === 403 || status >= 500) {
          wrong.push(`${role}: ${label(route)} → ${status}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('serves public routes without a token', async () => {
    const health = routes.find((r) => r.handler === 'HealthController.check')!;
    expect(health.policy).toEqual({ kind: 'public' });
    expect(await call(health)).toBe(200);
  });
});
