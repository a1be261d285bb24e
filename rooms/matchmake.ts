import type { IncomingHttpHeaders } from 'node:http';
import { ErrorCode } from '@colyseus/core';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE } from '../protocol/http.ts';
import { defineEndpoint, reply, type AnyEndpoint } from '../server/http/endpoint.ts';
import { clientAddress } from '../server/http/middleware.ts';
import { problemBodySchema, problemFromAppError, STATUS_BY_KIND } from '../server/http/problem.ts';
import { AppError, type ErrorKind } from '../server/lib/errors.ts';
import type { Logger } from '../server/lib/log.ts';

/** The matchmaker's methods a client may call (Colyseus's own list). */
const METHODS = ['joinOrCreate', 'create', 'join', 'joinById', 'reconnect'] as const;
/** Join options are a small JSON object (`{dojoId}`); a seat request never needs more. */
const JOIN_BODY_LIMIT_BYTES = 16 * 1024;

/** What Colyseus's own refusals mean, by its numeric codes. */
const COLYSEUS_REFUSALS: Readonly<Record<number, { code: string; kind: ErrorKind; text: string }>> = {
  [ErrorCode.MATCHMAKE_NO_HANDLER]: {
    code: 'ROOMS.UNKNOWN_ROOM',
    kind: 'NOT_FOUND',
    text: 'No such room type.',
  },
  [ErrorCode.MATCHMAKE_INVALID_ROOM_ID]: {
    code: 'ROOMS.UNKNOWN_ROOM',
    kind: 'NOT_FOUND',
    text: 'No such room.',
  },
  [ErrorCode.MATCHMAKE_INVALID_CRITERIA]: {
    code: 'ROOMS.INVALID_OPTIONS',
    kind: 'INVALID',
    text: 'Bad join options.',
  },
  [ErrorCode.MATCHMAKE_EXPIRED]: {
    code: 'ROOMS.SEAT_EXPIRED',
    kind: 'CONFLICT',
    text: 'The seat expired; join again.',
  },
  [ErrorCode.AUTH_FAILED]: {
    code: 'AUTH.INVALID_TOKEN',
    kind: 'UNAUTHENTICATED',
    text: 'Not allowed to join.',
  },
};

export interface JoinAuth {
  readonly token: string | undefined;
  readonly ip: string;
  readonly headers: IncomingHttpHeaders;
}

export interface MatchmakeOptions {
  readonly logger: Logger;
  /** The rooms' own refusal codes (the `CODE:` a refusal's message starts with) and what each means. */
  readonly joinErrors: Readonly<Record<string, ErrorKind>>;
  readonly invoke: (method: string, roomName: string, options: unknown, auth: JoinAuth) => Promise<unknown>;
  readonly shuttingDown: () => boolean;
}

/**
 * A Colyseus refusal as one of ours. A room refuses with a message `CODE: text` (the contract: the SDK's
 * MatchMakeError carries it); a code the room declared keeps its meaning, Colyseus's own numeric codes are
 * mapped, and anything else is a server-side failure (logged, 503, the client may try again).
 */
function refusal(error: unknown, joinErrors: MatchmakeOptions['joinErrors']): AppError {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  const prefix = /^([A-Z]+\.[A-Z_]+): /.exec(text)?.[1];
  const declared = prefix ? joinErrors[prefix] : undefined;
  if (prefix && declared) return new AppError(prefix, text, { kind: declared });
  const known = typeof code === 'number' ? COLYSEUS_REFUSALS[code] : undefined;
  if (known) return new AppError(known.code, `${known.code}: ${known.text}`, { kind: known.kind });
  return new AppError('ROOMS.UNAVAILABLE', 'The rooms could not seat you; try again.', {
    kind: 'UNAVAILABLE',
    cause: error,
    retryAfterSeconds: 1,
  });
}

/** A refusal's problem body also carries `message` (`CODE: text`): the field the Colyseus SDK reads. */
const refusalSchema = problemBodySchema.extend({ message: z.string() });
const refused = (description: string) => ({
  description,
  schema: refusalSchema,
  contentType: PROBLEM_CONTENT_TYPE,
});

/**
 * `POST /matchmake/:method/:roomName`: a seat reservation in a room, as the Colyseus SDK asks for one,
 * served by the front door like every endpoint (body limit, security headers, CORS policy, problem+json).
 */
export function matchmakeEndpoint(options: MatchmakeOptions): AnyEndpoint {
  return defineEndpoint({
    method: 'post',
    path: '/matchmake/:method/:roomName',
    summary: 'Reserve a seat in a live room (the Colyseus SDK calls this)',
    description:
      'The access token goes in `Authorization: Bearer` (the SDK sends `client.auth.token`). A refusal is a ' +
      '4xx problem whose `message` starts with its code (`DOJO.NOT_FOUND: …`).',
    tags: ['rooms'],
    params: z.object({
      method: z.enum(METHODS),
      roomName: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'A room name'),
    }),
    body: z.record(z.string(), z.unknown()),
    bodyLimitBytes: JOIN_BODY_LIMIT_BYTES,
    responses: {
      200: { description: 'The seat reservation', schema: z.looseObject({}) },
      400: refused('Bad join options'),
      401: refused('Token missing, invalid, expired or revoked'),
      404: refused('Unknown room, or not yours to join (never told apart)'),
      409: refused('The room is opening on another node, or the seat expired: join again'),
      503: refused('The rooms are shutting down or unavailable: try again'),
    },
    handler: async ({ params, body, req }) => {
      const bearer = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')?.[1];
      try {
        if (options.shuttingDown()) throw new Error('shutting down');
        const auth = { token: bearer, ip: clientAddress(req), headers: req.headers };
        return reply(200, await options.invoke(params.method, params.roomName, body, auth));
      } catch (error) {
        const appError = refusal(error, options.joinErrors);
        const problem = problemFromAppError(appError);
        if (problem.status >= 500) options.logger.warn({ err: error }, 'matchmaking failed');
        const headers: Record<string, string> = { 'Content-Type': PROBLEM_CONTENT_TYPE };
        if (appError.retryAfterSeconds) headers['Retry-After'] = String(appError.retryAfterSeconds);
        return reply(
          STATUS_BY_KIND[appError.kind],
          { ...problem, instance: req.url?.split('?')[0], message: appError.message },
          headers,
        );
      }
    },
  });
}
