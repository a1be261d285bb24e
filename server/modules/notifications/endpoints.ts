import { assertCaller, callerOf } from '../../http/auth.ts';
import { defineEndpoint, reply, type AnyEndpoint } from '../../http/endpoint.ts';
import * as S from './api-schemas.ts';
import { notificationView, type NotificationsService } from './service.ts';

const TAGS = ['notifications'];

/** The feed of the caller: only their own notifications can ever be listed or marked. */
export function notificationEndpoints(s: NotificationsService): AnyEndpoint[] {
  return [
    defineEndpoint({
      method: 'get',
      path: '/v1/user/notification',
      summary: "The caller's notifications, newest first, with the unread count",
      tags: TAGS,
      auth: true,
      query: S.listQuery,
      responses: {
        200: { description: 'A page of notifications', schema: S.listResponse },
        400: S.err('Invalid query'),
        403: S.err('userId is not the caller'),
      },
      handler: async ({ query, res }) => {
        const caller = callerOf(res);
        assertCaller(caller, query);
        const [list, unreadCount] = await s.list(caller.userId, {
          limit: query.limit,
          offset: query.offset,
          unread: query.unread === true,
        });
        return reply(200, { notifications: list.map(notificationView), unreadCount });
      },
    }),
    defineEndpoint({
      method: 'post',
      path: '/v1/user/notification/read',
      summary: 'Mark some (by id) or all notifications read',
      description: "Ids that are not the caller's are ignored.",
      tags: TAGS,
      auth: true,
      body: S.readBody,
      responses: {
        200: { description: 'Marked; the new unread count', schema: S.readResponse },
        400: S.err('Invalid body'),
      },
      handler: async ({ body, res }) => {
        const ids = 'all' in body ? 'all' : body.notificationIds;
        return reply(200, { success: true, unreadCount: await s.markRead(callerOf(res).userId, ids) });
      },
    }),
    defineEndpoint({
      method: 'post',
      path: '/v1/user/notification/seen',
      summary: 'Mark everything up to now as seen',
      tags: TAGS,
      auth: true,
      body: S.seenBody,
      responses: {
        200: { description: 'Marked', schema: S.seenResponse },
        400: S.err('Invalid body'),
      },
      handler: async ({ res }) => {
        await s.markSeen(callerOf(res).userId);
        return reply(200, { success: true });
      },
    }),
  ];
}
