/**
 * Who may take a seat in a dojo room: checked in the room class's static onAuth, on the node that serves
 * the matchmaking request, before any seat is reserved.
 */
import { ErrorCode, matchMaker, ServerError } from '@colyseus/core';
import { JOIN_ERRORS, joinOptions } from '../../../../protocol/dojo.ts';
import { isAppError } from '../../../lib/errors.ts';
import { processOf } from '../../../ports/lease.ts';
import type { DojoRoomContext } from './context.ts';
import type { Seat } from './handlers.ts';

const refused = (code: string, message: string, status: number = ErrorCode.AUTH_FAILED) =>
  new ServerError(status, `${code}: ${message}`);

/**
 * The access token must be valid and the caller a member of that dojo in the token's tenant. An unknown
 * dojo, another tenant's and one the caller is not a member of all answer the same NOT_FOUND.
 */
export async function authorizeJoin(ctx: DojoRoomContext, token: unknown, options: unknown): Promise<Seat> {
  if (typeof token !== 'string' || token === '') {
    throw refused(JOIN_ERRORS.TOKEN_REQUIRED, 'Set the access token as the client auth token.');
  }
  const parsed = joinOptions.safeParse(options);
  if (!parsed.success) {
    throw refused(
      JOIN_ERRORS.INVALID_OPTIONS,
      'dojoId must be a dojo id.',
      ErrorCode.MATCHMAKE_INVALID_CRITERIA,
    );
  }
  const { dojoId } = parsed.data;
  let auth;
  try {
    auth = await ctx.auth.verify(token);
  } catch (error) {
    if (isAppError(error) && error.code === 'AUTH.TOKEN_EXPIRED') {
      throw refused(JOIN_ERRORS.TOKEN_EXPIRED, 'The access token has expired.');
    }
    if (isAppError(error) && error.kind === 'UNAUTHENTICATED') {
      throw refused(JOIN_ERRORS.TOKEN_INVALID, 'The access token is invalid.');
    }
    throw error;
  }
  const dojo = await ctx.repo.dojo(dojoId);
  const member = dojo && dojo.tenantId === auth.tenantId && (await ctx.repo.isMember(dojoId, auth.userId));
  const user = member ? await ctx.auth.user(auth.tenantId, auth.userId) : undefined;
  const name = user?.active ? user.displayName : undefined;
  if (!member || name === undefined) throw refused(JOIN_ERRORS.NOT_FOUND, 'No such dojo.');
  await sweepDeadOwner(ctx, dojoId);
  // No `sessionId` key here: Colyseus would take it as the connection's session id.
  return { userId: auth.userId, tenantId: auth.tenantId, name, dojoId };
}

/**
 * When the process that ran this dojo's room died without disposing it (SIGKILL), its room listing stays
 * in the shared matchmaker and Colyseus would route this join there, noticing only after a 2 s IPC timeout
 * and a 2 s health check. The dojo's lease names that process; once it is seen dead, its listings and
 * stats go now, so the join creates the room afresh (from the last snapshot) on a live node.
 */
async function sweepDeadOwner(ctx: DojoRoomContext, dojoId: string): Promise<void> {
  const holder = await ctx.live.leases.holder(dojoId);
  if (!holder) return;
  const processId = processOf(holder);
  if (processId === matchMaker.processId || (await ctx.live.leases.processAlive(processId))) return;
  await matchMaker.driver.cleanup?.(processId);
  await matchMaker.stats.excludeProcess(processId);
  ctx.logger.warn({ dojoId, processId }, 'removed the room listings of a dead process');
}
