import { randomUUID } from 'node:crypto';
import { dateOf, textOf, type Row, type Store, type WriteOp } from '../../ports/store.ts';
import type { NotificationRequest } from '../../capabilities.ts';
import { RETENTION_SECONDS, TABLES } from './schema.ts';

export interface StoredNotification {
  readonly notificationId: string;
  readonly userId: string;
  readonly tenantId: string;
  readonly type: string;
  readonly title: string;
  readonly message: string;
  readonly data: Readonly<Record<string, string>>;
  readonly created: Date;
  readonly read: boolean;
  readonly seen: boolean;
}

/** Unread notifications counted at most (a count past it reads as this). */
export const UNREAD_COUNT_CAP = 9999;

const ttl = { ttlSeconds: RETENTION_SECONDS };

/** Reads and writes of the feed, one table per query (see the README). */
export class NotificationsRepo {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /**
   * Claims the request's dedupe key: the first delivery gets a new id and time, any later one (a
   * redelivery, a retry after a crash) the same. `fresh` is false when the notification is already stored.
   */
  async claim(
    request: NotificationRequest,
    now: Date,
  ): Promise<{ notificationId: string; created: Date; fresh: boolean }> {
    const first = { notificationId: randomUUID(), created: now };
    const claim = await this.#store.insert(
      TABLES.dedupe,
      {
        dedupe_key: request.dedupeKey,
        notification_id: first.notificationId,
        user_id: request.userId,
        created: now,
      },
      { ifNotExists: true, ...ttl },
    );
    if (claim.applied) return { ...first, fresh: true };
    const row = claim.current ?? (await this.#store.get(TABLES.dedupe, { dedupe_key: request.dedupeKey }));
    if (!row) throw new Error('a refused dedupe claim left no row');
    return this.#existing(row);
  }

  async #existing(row: Row) {
    const notificationId = textOf(row.notification_id);
    const stored = await this.#store.get(TABLES.keys, {
      user_id: textOf(row.user_id),
      notification_id: notificationId,
    });
    return { notificationId, created: dateOf(row.created), fresh: stored === undefined };
  }

  /** Writes the notification into the feed, its key and the unread list at once (idempotent). */
  async save(n: Omit<StoredNotification, 'read' | 'seen'>): Promise<void> {
    await this.#store.batch([
      {
        kind: 'insert',
        table: TABLES.feed,
        row: {
          user_id: n.userId,
          created: n.created,
          notification_id: n.notificationId,
          tenant_id: n.tenantId,
          type: n.type,
          title: n.title,
          message: n.message,
          data: { ...n.data },
          read: false,
        },
        ...ttl,
      },
      {
        kind: 'insert',
        table: TABLES.keys,
        row: { user_id: n.userId, notification_id: n.notificationId, created: n.created },
        ...ttl,
      },
      {
        kind: 'insert',
        table: TABLES.unread,
        row: { user_id: n.userId, created: n.created, notification_id: n.notificationId },
        ...ttl,
      },
    ]);
  }

  /** Newest first; offsets are read and skipped (the endpoint bounds them). */
  async list(
    userId: string,
    o: { limit: number; offset: number; unread: boolean },
  ): Promise<StoredNotification[]> {
    const want = o.offset + o.limit;
    const seenUntil = await this.#seenUntil(userId);
    if (!o.unread) {
      const page = await this.#store.query(TABLES.feed, { where: { user_id: userId }, limit: want });
      return page.rows.slice(o.offset).map((r) => this.#view(r, seenUntil));
    }
    const ids = await this.#store.query(TABLES.unread, { where: { user_id: userId }, limit: want });
    const keys = ids.rows
      .slice(o.offset)
      .map((r) => ({ user_id: userId, created: r.created, notification_id: r.notification_id }));
    const rows = await this.#store.getMany(TABLES.feed, keys);
    return rows
      .filter((r): r is Row => r !== undefined)
      .map((r) => ({ ...this.#view(r, seenUntil), read: false }));
  }

  async unreadCount(userId: string): Promise<number> {
    const page = await this.#store.query(TABLES.unread, {
      where: { user_id: userId },
      limit: UNREAD_COUNT_CAP,
    });
    return page.rows.length;
  }

  /** Marks the caller's own notifications read; ids that are not theirs (or not stored) are ignored. */
  async markRead(userId: string, notificationIds: readonly string[]): Promise<void> {
    const keys = await this.#store.getMany(
      TABLES.keys,
      notificationIds.map((id) => ({ user_id: userId, notification_id: id })),
    );
    const ops: WriteOp[] = [];
    for (const key of keys) {
      if (!key) continue;
      const primary = { user_id: userId, created: key.created, notification_id: key.notification_id };
      ops.push({ kind: 'update', table: TABLES.feed, key: primary, set: { read: true } });
      ops.push({ kind: 'delete', table: TABLES.unread, key: primary });
    }
    if (ops.length) await this.#store.batch(ops);
  }

  /** Marks read everything that was unread up to `now` (one arriving meanwhile stays unread). */
  async markAllRead(userId: string, now: Date): Promise<void> {
    let pageState: string | undefined;
    do {
      const page = await this.#store.query(TABLES.unread, {
        where: { user_id: userId },
        range: { column: 'created', lte: now },
        limit: 500,
        ...(pageState ? { pageState } : {}),
      });
      const ops: WriteOp[] = page.rows.flatMap((r) => {
        const key = { user_id: userId, created: r.created, notification_id: r.notification_id };
        return [
          { kind: 'update', table: TABLES.feed, key, set: { read: true } } as const,
          { kind: 'delete', table: TABLES.unread, key } as const,
        ];
      });
      if (ops.length) await this.#store.batch(ops);
      pageState = page.pageState;
    } while (pageState);
  }

  async markSeen(userId: string, now: Date): Promise<void> {
    await this.#store.update(TABLES.state, { user_id: userId }, { seen_until: now });
  }

  /** Claims the right to mail a notification: true once, whatever the redeliveries. */
  async claimMail(notificationId: string, now: Date): Promise<boolean> {
    const claim = await this.#store.insert(
      TABLES.mailed,
      { notification_id: notificationId, mailed: now },
      { ifNotExists: true, ...ttl },
    );
    return claim.applied;
  }

  async #seenUntil(userId: string): Promise<Date> {
    const row = await this.#store.get(TABLES.state, { user_id: userId });
    return row ? dateOf(row.seen_until) : new Date(0);
  }

  #view(r: Row, seenUntil: Date): StoredNotification {
    const created = dateOf(r.created);
    return {
      notificationId: textOf(r.notification_id),
      userId: textOf(r.user_id),
      tenantId: textOf(r.tenant_id),
      type: textOf(r.type),
      title: textOf(r.title),
      message: textOf(r.message),
      data: (r.data ?? {}) as Record<string, string>,
      created,
      read: r.read === true,
      seen: created <= seenUntil,
    };
  }
}
