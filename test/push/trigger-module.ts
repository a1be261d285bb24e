import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { PushEvents } from '../../server/capabilities.ts';
import { defineEndpoint, reply } from '../../server/http/endpoint.ts';
import type { DojoModule } from '../../server/modules.ts';

/** The bus channel the trigger listens on (under the system's Redis key prefix). */
export const TRIGGER_CHANNEL = 'test.push';

/** A bus message asking the node(s) running exactly `roles` to push `event` to `userId`. */
export interface TriggerMessage {
  readonly roles: string;
  readonly userId: string;
  readonly event: keyof PushEvents;
  readonly payload: Record<string, unknown>;
}

/** Now, in ms since the epoch with sub-millisecond precision (comparable between processes of a machine). */
export const stamp = () => performance.timeOrigin + performance.now();

/**
 * A test-only module that calls `ctx.push.toUser` on request, so a suite or a benchmark can emit from a
 * node it does not hold in-process:
 * - on the bus, on every role: a `TriggerMessage` on `test.push` makes the nodes whose ROLES are exactly
 *   `roles` push (how a test emits from a workers-only node, which serves no endpoints);
 * - `POST /test/push {userIds}` (api role): a `notification` to each user, stamped with the time of its own
 *   `toUser` call in `data.sentAt`, for delivery latencies.
 */
export const pushTriggerModule: DojoModule = {
  name: 'push-trigger',
  init: async (ctx) => {
    const roles = ctx.config.roles.join(',');
    const unsubscribe = await ctx.adapters.bus.subscribe(TRIGGER_CHANNEL, (message) => {
      const m = message as TriggerMessage;
      if (m.roles !== roles) return;
      void ctx.push.toUser(m.userId, m.event, m.payload as never);
    });
    return {
      endpoints: [
        defineEndpoint({
          method: 'post',
          path: '/test/push',
          summary: 'push a stamped notification to each user (tests and benchmarks only)',
          tags: ['test'],
          body: z.strictObject({ userIds: z.array(z.string()).max(20_000) }),
          responses: { 202: { description: 'emitted', schema: z.object({ sent: z.number() }) } },
          handler: async ({ body }) => {
            const created = new Date().toISOString();
            for (const userId of body.userIds) {
              await ctx.push.toUser(userId, 'notification', {
                notificationId: randomUUID(),
                type: 'dojo.reminder',
                title: 'Dojo in 10 minutes',
                message: 'Your dojo “Katas on Friday” starts at 10:00.',
                data: { dojoId: randomUUID(), sentAt: String(stamp()) },
                read: false,
                seen: false,
                created,
              });
            }
            return reply(202, { sent: body.userIds.length });
          },
        }),
      ],
      close: () => unsubscribe(),
    };
  },
};
