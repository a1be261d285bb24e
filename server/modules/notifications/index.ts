import { z } from 'zod';
import { NOTIFICATION_TYPES, type NotificationRequest, type Notify } from '../../capabilities.ts';
import type { DojoModule } from '../../modules.ts';
import type { Queue } from '../../ports/queue.ts';
import { notificationEndpoints } from './endpoints.ts';
import { NotificationsRepo } from './repo.ts';
import { NOTIFICATIONS_MIGRATIONS } from './schema.ts';
import { NotificationsService } from './service.ts';

export const REQUESTS_TOPIC = 'notifications.requests';

const request = z.object({
  tenantId: z.uuid(),
  userId: z.uuid(),
  type: z.enum(NOTIFICATION_TYPES),
  title: z.string().min(1).max(200),
  message: z.string().max(2000),
  data: z.record(z.string(), z.string()),
  dedupeKey: z.string().min(1).max(300),
});

function notifyThrough(queue: Queue, counted: (r: readonly NotificationRequest[]) => void): Notify {
  return {
    send: async (requests) => {
      const valid = requests.map((r) => request.parse(r));
      if (!valid.length) return;
      // Keyed by user: one user's notifications are stored in the order they were asked for.
      await queue.publish(
        REQUESTS_TOPIC,
        valid.map((r) => ({ key: r.userId, value: r })),
      );
      counted(valid);
    },
  };
}

/**
 * Notifications (issue #10): any module asks through `ctx.notify` (a queue topic, so a request survives
 * a crash once `send` resolved); the workers role stores each once per dedupe key in the user's feed,
 * pushes it to the user's sockets (`ctx.push`) and mails what cannot wait. The feed's REST side: list
 * with the unread count, mark read, mark seen.
 */
export function createNotificationsModule(options: { now?: () => Date } = {}): DojoModule {
  return {
    name: 'notifications',
    migrations: NOTIFICATIONS_MIGRATIONS,
    topics: [REQUESTS_TOPIC],
    init: (ctx) => {
      const logger = ctx.logger.child({ module: 'notifications' });
      const service = new NotificationsService({
        repo: new NotificationsRepo(ctx.adapters.store),
        auth: () => ctx.auth,
        push: () => ctx.optional('push'),
        mailer: ctx.adapters.mailer,
        publicUrl: ctx.config.publicUrl,
        logger,
        registry: ctx.metrics.registry,
        ...(options.now ? { now: options.now } : {}),
      });
      return {
        endpoints: notificationEndpoints(service),
        workers: [
          {
            topic: REQUESTS_TOPIC,
            group: 'notifications-writer',
            handler: async (message) => {
              const parsed = request.safeParse(message.value);
              if (!parsed.success) {
                logger.warn(
                  { offset: message.offset, issues: parsed.error.issues.length },
                  'malformed notification request dropped',
                );
                return;
              }
              await service.deliver(parsed.data);
            },
          },
        ],
        provides: { notify: notifyThrough(ctx.adapters.queue, (r) => service.produced(r)) },
      };
    },
  };
}
