import type { ModuleContext } from '../../modules.ts';
import { bindLog } from '../../http/middleware.ts';
import type { HttpResponse, Middleware } from '../../http/types.ts';
import { AppError, forbidden } from '../../lib/errors.ts';
import type { AccountsService } from './service.ts';
import type { AuthContext, Role } from './tokens.ts';

export type { AuthContext, Role } from './tokens.ts';

type WithServices = Pick<ModuleContext, 'services'>;

function serviceOf(ctx: WithServices): AccountsService {
  const service = ctx.services.accounts;
  if (!service) {
    throw new AppError('AUTH.NOT_CONFIGURED', 'The accounts module is not part of this system', {
      kind: 'INTERNAL',
    });
  }
  return service;
}

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/** Verifies a raw access token (e.g. the one a Colyseus client sends when joining a room). */
export function verifyAccessToken(ctx: WithServices, token: string): Promise<AuthContext> {
  return serviceOf(ctx).authenticator.authenticate(token);
}

/**
 * Express middleware for endpoints that need a caller: verifies `Authorization: Bearer <access token>`,
 * puts the AuthContext on `res.locals.auth`, the tenant on `res.locals.tenantId` (the metrics label), and
 * tenantId and userId on every later log line of the request (`requestLog(req)`). Failures are 401 problems with
 * WWW-Authenticate.
 */
export function requireAuth(ctx: WithServices): Middleware {
  return (req, res, next) => {
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (!match?.[1]) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="dojo"');
      next(new AppError('AUTH.TOKEN_MISSING', 'An access token is required.', { kind: 'UNAUTHENTICATED' }));
      return;
    }
    let service: AccountsService;
    try {
      service = serviceOf(ctx);
    } catch (error) {
      next(error);
      return;
    }
    const accept = (auth: AuthContext) => {
      res.locals.auth = auth;
      res.locals.tenantId = auth.tenantId;
      bindLog(req, { tenantId: auth.tenantId, userId: auth.userId });
      next();
    };
    const refuse = (error: unknown) => {
      if (error instanceof AppError && error.kind === 'UNAUTHENTICATED') {
        res.setHeader('WWW-Authenticate', 'Bearer realm="dojo", error="invalid_token"');
      }
      next(error);
    };
    // Most requests come with a token this node has verified and checked recently: no promise for those.
    let known: AuthContext | undefined;
    try {
      known = service.authenticator.known(match[1]);
    } catch (error) {
      refuse(error);
      return;
    }
    if (known) accept(known);
    else service.authenticator.authenticate(match[1]).then(accept, refuse);
  };
}

/** Runs after requireAuth: refuses callers whose role is not listed (403). */
export function requireRole(...roles: readonly Role[]): Middleware {
  return (_req, res, next) => {
    const auth = res.locals.auth as AuthContext | undefined;
    if (!auth || !roles.includes(auth.role)) {
      next(forbidden('AUTH.ROLE_REQUIRED', `This requires the role ${roles.join(' or ')}.`));
      return;
    }
    next();
  };
}

/** The caller of a request that went through requireAuth. */
export function authOf(res: HttpResponse): AuthContext {
  const auth = res.locals.auth as AuthContext | undefined;
  if (!auth) throw new AppError('AUTH.MISSING_CONTEXT', 'requireAuth did not run', { kind: 'INTERNAL' });
  return auth;
}

export const notCaller = () =>
  forbidden('AUTH.NOT_CALLER', 'userId, tenantId and username, when given, must be your own.');

/** A body field naming the caller (as the seed's `user_id`, `tenant_id`) must be the caller's own. */
export function assertCaller(
  auth: AuthContext,
  given: { readonly userId?: string; readonly tenantId?: string },
): void {
  const mismatch =
    (given.userId !== undefined && given.userId.toLowerCase() !== auth.userId) ||
    (given.tenantId !== undefined && given.tenantId.toLowerCase() !== auth.tenantId);
  if (mismatch) throw notCaller();
}
