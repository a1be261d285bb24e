import type { Auth, Caller, TenantRole } from '../capabilities.ts';
import { AppError, forbidden } from '../lib/errors.ts';
import { bindLog } from './middleware.ts';
import type { HttpResponse, Middleware } from './types.ts';

/** What an endpoint's `auth` option asks for: any caller, or one holding one of these roles. */
export type EndpointAuth = true | { readonly roles: readonly TenantRole[] };

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/**
 * The middleware an endpoint with `auth` gets: verifies `Authorization: Bearer <access token>`, puts the
 * caller on `res.locals.auth`, and its tenant and user on every later log line of the request. Failures
 * are 401 problems with WWW-Authenticate; a caller without one of the endpoint's roles is a 403.
 */
export function authMiddleware(auth: Auth, wanted: EndpointAuth): Middleware {
  const roles = wanted === true ? undefined : wanted.roles;
  const accept = (
    req: Parameters<Middleware>[0],
    res: HttpResponse,
    caller: Caller,
  ): AppError | undefined => {
    res.locals.auth = caller;
    res.locals.tenantId = caller.tenantId;
    bindLog(req, { tenantId: caller.tenantId, userId: caller.userId });
    if (roles && !roles.includes(caller.role)) {
      return forbidden('AUTH.ROLE_REQUIRED', `This requires the role ${roles.join(' or ')}.`);
    }
    return undefined;
  };
  return (req, res, next) => {
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (!match?.[1]) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="dojo"');
      next(new AppError('AUTH.TOKEN_MISSING', 'An access token is required.', { kind: 'UNAUTHENTICATED' }));
      return;
    }
    const refuse = (error: unknown) => {
      if (error instanceof AppError && error.kind === 'UNAUTHENTICATED') {
        res.setHeader('WWW-Authenticate', 'Bearer realm="dojo", error="invalid_token"');
      }
      next(error);
    };
    // Most requests come with a token this node verified recently: no promise for those.
    let known: Caller | undefined;
    try {
      known = auth.known(match[1]);
    } catch (error) {
      refuse(error);
      return;
    }
    if (known) next(accept(req, res, known));
    else auth.verify(match[1]).then((caller) => next(accept(req, res, caller)), refuse);
  };
}

/** The responses every endpoint with `auth` may give besides its own (documented and checked once, here). */
export function authResponses(wanted: EndpointAuth | undefined): Record<number, { description: string }> {
  if (!wanted) return {};
  const unauthenticated = { 401: { description: 'Missing, invalid, expired or revoked access token' } };
  return wanted === true
    ? unauthenticated
    : { ...unauthenticated, 403: { description: `Requires the role ${wanted.roles.join(' or ')}` } };
}

/** The caller of a request whose endpoint has `auth`. */
export function callerOf(res: HttpResponse): Caller {
  const caller = res.locals.auth as Caller | undefined;
  if (!caller)
    throw new AppError('AUTH.MISSING_CONTEXT', 'the endpoint has no auth option', { kind: 'INTERNAL' });
  return caller;
}

export const notCaller = () =>
  forbidden('AUTH.NOT_CALLER', 'userId, tenantId and username, when given, must be your own.');

/** A body field naming the caller (as the seed's `user_id`, `tenant_id`) must be the caller's own. */
export function assertCaller(
  caller: Caller,
  given: { readonly userId?: string; readonly tenantId?: string },
): void {
  const mismatch =
    (given.userId !== undefined && given.userId.toLowerCase() !== caller.userId) ||
    (given.tenantId !== undefined && given.tenantId.toLowerCase() !== caller.tenantId);
  if (mismatch) throw notCaller();
}
