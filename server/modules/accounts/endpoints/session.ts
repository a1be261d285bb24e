import bodyParser from 'body-parser';
import typeIs from 'type-is';
import { defineEndpoint, reply, type AnyEndpoint } from '../../../http/endpoint.ts';
import type { Middleware } from '../../../http/types.ts';
import { clientAddress } from '../../../http/middleware.ts';
import { fieldErrors } from '../../../http/problem.ts';
import { AppError, forbidden, isAppError } from '../../../lib/errors.ts';
import * as S from '../api-schemas.ts';
import { assertCaller, callerOf, notCaller } from '../../../http/auth.ts';
import { hashPassword, needsRehash, verifyPassword } from '../passwords.ts';
import { OAuthError } from '../refresh.ts';
import type { AccountsService } from '../service.ts';

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
const TOKEN_BODY_LIMIT = 8 * 1024;

/**
 * Parses the token request itself so that every failure, malformed bodies included, is an RFC 6749 §5.2
 * JSON error rather than problem+json. The endpoint's own parsers then see a consumed body and skip.
 */
function oauthBody(): Middleware {
  const json = bodyParser.json({ limit: TOKEN_BODY_LIMIT }) as Middleware;
  const form = bodyParser.urlencoded({
    extended: false,
    limit: TOKEN_BODY_LIMIT,
    parameterLimit: 20,
  }) as Middleware;
  return (req, res, next) => {
    const fail = (description: string) => {
      const body = JSON.stringify({ error: 'invalid_request', error_description: description });
      res.statusCode = 400;
      res.setHeaders(
        new Map([...Object.entries(NO_STORE), ['Content-Type', 'application/json; charset=utf-8']]),
      );
      res.setHeader('Content-Length', Buffer.byteLength(body));
      res.end(body);
    };
    const type = typeIs(req, ['application/x-www-form-urlencoded', 'application/json']);
    if (!type) {
      fail('Send grant_type and refresh_token as application/x-www-form-urlencoded (or JSON).');
      return;
    }
    (type === 'application/json' ? json : form)(req, res, (error?: unknown) => {
      if (error) {
        const tooLarge = (error as { type?: string }).type === 'entity.too.large';
        fail(tooLarge ? 'The request body is too large.' : 'The request body is malformed.');
        return;
      }
      const parsed = S.tokenBody.safeParse(req.body ?? {});
      if (!parsed.success) {
        const fields = fieldErrors(parsed.error).map((f) => `${f.path}: ${f.message}`);
        fail(`Invalid parameters (${fields.join('; ')}).`);
        return;
      }
      req.body = parsed.data;
      next();
    });
  };
}

const invalidCredentials = () =>
  new AppError('AUTH.INVALID_CREDENTIALS', 'The username or password is incorrect.', {
    kind: 'UNAUTHENTICATED',
  });

/** Upgrades a hash made with weaker parameters; a busy hashing pool only postpones it to a later login. */
async function rehash(s: AccountsService, userId: string, password: string): Promise<void> {
  try {
    const hash = await hashPassword(password, s.options.hashing, s.hashPool.derive);
    await s.repo.updateUser(userId, { password_hash: hash });
  } catch (error) {
    if (!isAppError(error) || error.kind !== 'UNAVAILABLE') throw error;
    s.logger.debug({ userId }, 'password rehash postponed: hashing is busy');
  }
}

export function sessionEndpoints(s: AccountsService): AnyEndpoint[] {
  const login = defineEndpoint({
    method: 'post',
    path: '/v1/login',
    summary: 'Sign in with username and password',
    description:
      "A first-party credential login for Dojo's own apps, not the OAuth password grant (which RFC 9700 forbids). " +
      'Unknown users and wrong passwords get the same 401; a username that breaks the username rule (3–15 of ' +
      'A–Z a–z 0–9 _ . -, case-insensitive) is a 400 naming `username`. Repeated failures are throttled per ' +
      'account and per client address (429 with Retry-After); when password checking is saturated the answer is ' +
      '503 with Retry-After.',
    tags: ['accounts'],
    body: S.loginBody,
    responses: {
      200: { description: 'Signed in', schema: S.loginResponse },
      400: S.err('Invalid input, e.g. a username that breaks the username rule'),
      401: S.err('Unknown user or wrong password (the same answer for both)'),
      403: S.err(
        'Account not confirmed yet (AUTH.ACCOUNT_NOT_CONFIRMED) or disabled (AUTH.ACCOUNT_DISABLED)',
      ),
      429: S.err('Too many failed attempts; see Retry-After'),
      503: S.err('Too many password checks at once (ACCOUNT.BUSY); see Retry-After'),
    },
    handler: async ({ body, req }) => {
      // Already canonical (trimmed, lower-case): the username schema did it.
      const username = body.username;
      const address = clientAddress(req);
      await s.throttle.check(username, address);
      const user = await s.repo.userByUsername(username);
      let ok = false;
      if (user) ok = await verifyPassword(body.password, user.passwordHash, s.hashPool.derive);
      else await s.dummyHash.burn(body.password);
      if (!user || !ok) {
        await s.throttle.failure(username, address);
        throw invalidCredentials();
      }
      if (user.accountStatus === 'C') {
        throw forbidden(
          'AUTH.ACCOUNT_NOT_CONFIRMED',
          'Confirm your account with the link we mailed you first.',
        );
      }
      if (user.accountStatus !== 'A') throw forbidden('AUTH.ACCOUNT_DISABLED', 'This account is disabled.');
      await s.throttle.success(username);
      if (needsRehash(user.passwordHash, s.options.hashing)) await rehash(s, user.userId, body.password);
      const pair = await s.sessions.start(user);
      return reply(
        200,
        {
          userId: pair.userId,
          tenantId: pair.tenantId,
          token: pair.accessToken,
          refreshToken: pair.refreshToken,
          tokenType: 'Bearer',
          expiresIn: Math.max(0, pair.expiresAt - Math.floor(Date.now() / 1000)),
        },
        NO_STORE,
      );
    },
  });

  const token = defineEndpoint({
    method: 'post',
    path: '/v1/oauth/token',
    summary: 'Refresh an access token (OAuth 2.0 refresh_token grant)',
    description:
      'RFC 6749 §6. The refresh token rotates on every use; presenting a rotated one again revokes the whole ' +
      'session, unless it is the same request retried within a few seconds, which gets the same answer. ' +
      'Errors are RFC 6749 §5.2 JSON ({error, error_description}), not problem+json.',
    tags: ['accounts'],
    before: [oauthBody()],
    body: S.tokenBody,
    acceptsForm: true,
    responses: {
      200: { description: 'A new access token and the next refresh token', schema: S.tokenResponse },
      400: { description: 'invalid_request, invalid_grant or unsupported_grant_type', schema: S.oauthError },
    },
    handler: async ({ body }) => {
      const error = (code: 'invalid_request' | 'unsupported_grant_type', description: string) =>
        reply(400, { error: code, error_description: description }, NO_STORE);
      if (body.grant_type !== 'refresh_token')
        return error('unsupported_grant_type', 'Only refresh_token is supported.');
      if (!body.refresh_token) return error('invalid_request', 'refresh_token is required.');
      try {
        const pair = await s.sessions.refresh(body.refresh_token);
        return reply(
          200,
          {
            access_token: pair.accessToken,
            token_type: 'Bearer',
            expires_in: Math.max(0, pair.expiresAt - Math.floor(Date.now() / 1000)),
            refresh_token: pair.refreshToken,
          },
          NO_STORE,
        );
      } catch (e) {
        if (e instanceof OAuthError)
          return reply(400, { error: e.error, error_description: e.message }, NO_STORE);
        throw e;
      }
    },
  });

  const logout = defineEndpoint({
    method: 'post',
    path: '/v1/logout',
    summary: 'End the current session',
    description:
      "Revokes the session's refresh tokens and the access token used for this call, on every node.",
    tags: ['accounts'],
    auth: true,
    body: S.logoutBody,
    responses: {
      200: { description: 'Signed out', schema: S.success },
      401: S.err('Missing, invalid, expired or revoked access token'),
      403: S.err("A userId, tenantId or username that is not the caller's (AUTH.NOT_CALLER)"),
    },
    handler: async ({ body, res }) => {
      const caller = callerOf(res);
      assertCaller(caller, body);
      if (body.username !== undefined) {
        const user = await s.repo.user(caller.userId);
        if (user?.username !== body.username) throw notCaller();
      }
      await s.sessions.revokeFamily(caller.sessionId);
      await s.authenticator.revoke(caller);
      return reply(200, { success: true });
    },
  });

  const jwks = defineEndpoint({
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'Public keys that verify access tokens (RFC 7517)',
    description: 'The current key and any recently retired key whose tokens may still be live.',
    tags: ['accounts'],
    responses: { 200: { description: 'The JSON Web Key Set', schema: S.jwks } },
    handler: async () => reply(200, await s.keys.jwks(), { 'Cache-Control': 'public, max-age=60' }),
  });

  return [login, token, logout, jwks];
}
