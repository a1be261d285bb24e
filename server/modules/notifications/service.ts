import { Counter, type Registry } from 'prom-client';
import type { Auth, NotificationRequest, Push } from '../../capabilities.ts';
import type { Logger } from '../../lib/log.ts';
import type { Mailer } from '../../ports/mail.ts';
import { MAILED_TYPES, notificationMail, wantsMail } from './mail.ts';
import type { NotificationsRepo, StoredNotification } from './repo.ts';

/** A notification as clients see it (the list, the `notification` push event). */
export function notificationView(n: StoredNotification) {
  return {
    notificationId: n.notificationId,
    type: n.type,
    title: n.title,
    message: n.message,
    data: n.data,
    read: n.read,
    seen: n.seen,
    created: n.created.toISOString(),
  };
}

export interface NotificationsServiceOptions {
  readonly repo: NotificationsRepo;
  /** Read when used: the modules that provide them may init after this one. */
  readonly auth: () => Pick<Auth, 'user'>;
  /** Absent in a system without the push module: then the feed alone tells. */
  readonly push: () => Push | undefined;
  readonly mailer: Mailer;
  readonly publicUrl: string;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly now?: () => Date;
}

/** Stores, pushes and mails what modules ask for; the feed's reads and marks. */
export class NotificationsService {
  readonly #o: NotificationsServiceOptions;
  readonly #now: () => Date;
  readonly #counted: Counter<'type' | 'stage'>;

  constructor(options: NotificationsServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
    this.#counted = new Counter({
      name: 'dojo_notifications_total',
      help: 'Notifications by type and stage: produced (asked for), delivered (stored), pushed, mailed, duplicate',
      labelNames: ['type', 'stage'],
      registers: [options.registry],
    });
  }

  produced(requests: readonly NotificationRequest[]): void {
    for (const r of requests) this.#counted.inc({ type: r.type, stage: 'produced' });
  }

  /**
   * One request off the queue, at least once: stored once per dedupe key, then pushed to the user's
   * sockets with the new unread count, then mailed if it is of a mailed type and the user wants it.
   */
  async deliver(request: NotificationRequest): Promise<void> {
    const { repo } = this.#o;
    const claim = await repo.claim(request, this.#now());
    if (!claim.fresh) {
      this.#counted.inc({ type: request.type, stage: 'duplicate' });
      return;
    }
    const user = await this.#o.auth().user(request.tenantId, request.userId);
    if (!user?.active) return;
    const stored = {
      notificationId: claim.notificationId,
      userId: request.userId,
      tenantId: request.tenantId,
      type: request.type,
      title: request.title,
      message: request.message,
      data: request.data,
      created: claim.created,
    };
    await repo.save(stored);
    this.#counted.inc({ type: request.type, stage: 'delivered' });
    await this.#pushNew({ ...stored, read: false, seen: false });
    if (MAILED_TYPES.has(request.type) && wantsMail(user, request.type)) {
      if (await repo.claimMail(stored.notificationId, this.#now())) {
        await this.#o.mailer.send(notificationMail(user, request, this.#o.publicUrl));
        this.#counted.inc({ type: request.type, stage: 'mailed' });
      }
    }
  }

  async #pushNew(n: StoredNotification): Promise<void> {
    const push = this.#o.push();
    if (!push) return;
    try {
      await push.toUser(n.userId, 'notification', notificationView(n));
      await push.toUser(n.userId, 'notification:count', {
        unreadCount: await this.#o.repo.unreadCount(n.userId),
      });
      this.#counted.inc({ type: n.type, stage: 'pushed' });
    } catch (error) {
      // The feed has it: a push is a courtesy, never a reason to redeliver.
      this.#o.logger.warn({ err: error, type: n.type }, 'notification not pushed');
    }
  }

  list(userId: string, o: { limit: number; offset: number; unread: boolean }) {
    return Promise.all([this.#o.repo.list(userId, o), this.#o.repo.unreadCount(userId)]);
  }

  async markRead(userId: string, ids: readonly string[] | 'all'): Promise<number> {
    if (ids === 'all') await this.#o.repo.markAllRead(userId, this.#now());
    else await this.#o.repo.markRead(userId, ids);
    const unreadCount = await this.#o.repo.unreadCount(userId);
    await this.#o
      .push()
      ?.toUser(userId, 'notification:count', { unreadCount })
      .catch((error: unknown) => this.#o.logger.warn({ err: error }, 'unread count not pushed'));
    return unreadCount;
  }

  markSeen(userId: string): Promise<void> {
    return this.#o.repo.markSeen(userId, this.#now());
  }
}
