import { retry } from '../../lib/retry.ts';
import { type Row, type Store, type WriteOp, textOf, dateOf } from '../../ports/store.ts';
import { TABLES } from './schema.ts';

export interface Dojo {
  readonly dojoId: string;
  readonly tenantId: string;
  readonly hostId: string;
  readonly subject: string;
  readonly dojoDate: Date;
  readonly created: Date;
  readonly opened: Date | null;
}

export interface Participation {
  readonly participationId: string;
  readonly dojoId: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly joinedAt: Date;
  readonly leftAt: Date;
  readonly minutes: number;
}

export interface DojoListing {
  readonly dojoId: string;
  readonly hostId: string;
  readonly subject: string;
  readonly dojoDate: Date;
}

export interface Message {
  readonly messageId: string;
  readonly dojoId: string;
  readonly userId: string;
  readonly text: string;
  readonly created: Date;
  readonly status: 'A' | 'R';
}

export interface NewMessage extends Omit<Message, 'status'> {
  readonly tenantId: string;
}

export interface MessageRef {
  readonly messageId: string;
  readonly dojoId: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly created: Date;
  readonly status: 'A' | 'R';
}

const status = (v: unknown): 'A' | 'R' => (v === 'R' ? 'R' : 'A');
/** Reads and idempotent writes (fixed keys) are safe to repeat. */
const again = { attempts: 3, baseDelayMs: 50, maxDelayMs: 500 } as const;
const SNAPSHOT_BATCH_BYTES = 48 * 1024;

function toDojo(row: Row): Dojo {
  return {
    dojoId: textOf(row.dojo_id),
    tenantId: textOf(row.tenant_id),
    hostId: textOf(row.host_id),
    subject: textOf(row.subject),
    dojoDate: dateOf(row.dojo_date),
    created: dateOf(row.created),
    opened: row.opened instanceof Date ? row.opened : null,
  };
}

function toMessage(row: Row): Message {
  return {
    messageId: textOf(row.message_id),
    dojoId: textOf(row.dojo_id),
    userId: textOf(row.user_id),
    text: textOf(row.text),
    created: dateOf(row.created),
    status: status(row.status),
  };
}

/** Dojos, their members, their chat and their room snapshots: one table per query. */
export class DojosRepo {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Writes the dojo, every member's listing and the member rows in one atomic batch. */
  async create(dojo: Omit<Dojo, 'opened'>, memberIds: readonly string[]): Promise<void> {
    const ops: WriteOp[] = [
      {
        kind: 'insert',
        table: TABLES.dojos,
        row: {
          dojo_id: dojo.dojoId,
          tenant_id: dojo.tenantId,
          host_id: dojo.hostId,
          subject: dojo.subject,
          dojo_date: dojo.dojoDate,
          created: dojo.created,
        },
      },
    ];
    for (const userId of memberIds) {
      ops.push({
        kind: 'insert',
        table: TABLES.byMember,
        row: {
          user_id: userId,
          dojo_date: dojo.dojoDate,
          dojo_id: dojo.dojoId,
          tenant_id: dojo.tenantId,
          host_id: dojo.hostId,
          subject: dojo.subject,
        },
      });
      ops.push({
        kind: 'insert',
        table: TABLES.members,
        row: {
          dojo_id: dojo.dojoId,
          user_id: userId,
          role: userId === dojo.hostId ? 'host' : 'member',
          added: dojo.created,
        },
      });
    }
    await retry(() => this.#store.batch(ops), again);
  }

  async dojo(dojoId: string): Promise<Dojo | undefined> {
    const row = await retry(() => this.#store.get(TABLES.dojos, { dojo_id: dojoId }), again);
    return row ? toDojo(row) : undefined;
  }

  async isMember(dojoId: string, userId: string): Promise<boolean> {
    const row = await retry(
      () => this.#store.get(TABLES.members, { dojo_id: dojoId, user_id: userId }),
      again,
    );
    return row !== undefined;
  }

  async memberIds(dojoId: string): Promise<string[]> {
    const page = await retry(
      () => this.#store.query(TABLES.members, { where: { dojo_id: dojoId }, limit: 1000 }),
      again,
    );
    return page.rows.map((r) => textOf(r.user_id));
  }

  /** A member's dojos with `from <= dojoDate <= to`, by date. */
  async dojosOf(userId: string, from: Date, to: Date, limit: number): Promise<DojoListing[]> {
    const page = await retry(
      () =>
        this.#store.query(TABLES.byMember, {
          where: { user_id: userId },
          range: { column: 'dojo_date', gte: from, lte: to },
          limit,
        }),
      again,
    );
    return page.rows.map((r) => ({
      dojoId: textOf(r.dojo_id),
      hostId: textOf(r.host_id),
      subject: textOf(r.subject),
      dojoDate: dateOf(r.dojo_date),
    }));
  }

  /** Records that a live room opened, once (the first opening is what ends SCHEDULED). */
  async markOpened(dojo: Dojo, when: Date): Promise<void> {
    if (dojo.opened) return;
    await retry(() => this.#store.update(TABLES.dojos, { dojo_id: dojo.dojoId }, { opened: when }), again);
  }

  /** Records when a live room closed (the last closing is the dojo's end). */
  async markClosed(dojoId: string, when: Date): Promise<void> {
    await retry(() => this.#store.update(TABLES.dojos, { dojo_id: dojoId }, { closed: when }), again);
  }

  /** Keeps a finished participation (who, in which dojo, from when, for how many minutes). */
  async saveParticipation(p: Participation): Promise<void> {
    await retry(
      () =>
        this.#store.insert(TABLES.participations, {
          dojo_id: p.dojoId,
          participation_id: p.participationId,
          tenant_id: p.tenantId,
          user_id: p.userId,
          joined_at: p.joinedAt,
          left_at: p.leftAt,
          minutes: p.minutes,
        }),
      again,
    );
  }

  /** Stores messages (each in both message tables) in one batch; see ChatWriter for why several at once. */
  async addMessages(messages: readonly NewMessage[]): Promise<void> {
    const ops = messages.flatMap((m): WriteOp[] => [
      {
        kind: 'insert',
        table: TABLES.messages,
        row: {
          dojo_id: m.dojoId,
          created: m.created,
          message_id: m.messageId,
          user_id: m.userId,
          text: m.text,
          status: 'A',
        },
      },
      {
        kind: 'insert',
        table: TABLES.messageById,
        row: {
          message_id: m.messageId,
          dojo_id: m.dojoId,
          tenant_id: m.tenantId,
          user_id: m.userId,
          created: m.created,
          status: 'A',
        },
      },
    ]);
    // Message ids are fixed before the first attempt, so a repeated batch writes the same rows.
    await retry(() => this.#store.batch(ops), again);
  }

  /** Active messages, oldest first, optionally of one author; at most `limit` (the newest ones). */
  async messages(dojoId: string, options: { userId?: string; limit: number }): Promise<Message[]> {
    const found: Message[] = [];
    let pageState: string | undefined;
    do {
      const page = await retry(
        () =>
          this.#store.query(TABLES.messages, {
            where: { dojo_id: dojoId },
            reverse: true,
            limit: 500,
            ...(pageState ? { pageState } : {}),
          }),
        again,
      );
      for (const row of page.rows) {
        const m = toMessage(row);
        if (m.status === 'A' && (!options.userId || m.userId === options.userId)) found.push(m);
        if (found.length >= options.limit) break;
      }
      pageState = found.length < options.limit ? page.pageState : undefined;
    } while (pageState);
    return found.reverse();
  }

  async messageRef(messageId: string): Promise<MessageRef | undefined> {
    const row = await retry(() => this.#store.get(TABLES.messageById, { message_id: messageId }), again);
    if (!row) return undefined;
    return {
      messageId: textOf(row.message_id),
      dojoId: textOf(row.dojo_id),
      tenantId: textOf(row.tenant_id),
      userId: textOf(row.user_id),
      created: dateOf(row.created),
      status: status(row.status),
    };
  }

  /** Soft-deletes messages (status `R`) in both tables at once. */
  async removeMessages(refs: readonly MessageRef[]): Promise<void> {
    if (refs.length === 0) return;
    const ops: WriteOp[] = refs.flatMap((r): WriteOp[] => [
      {
        kind: 'update',
        table: TABLES.messages,
        key: { dojo_id: r.dojoId, created: r.created, message_id: r.messageId },
        set: { status: 'R' },
      },
      { kind: 'update', table: TABLES.messageById, key: { message_id: r.messageId }, set: { status: 'R' } },
    ]);
    await retry(() => this.#store.batch(ops), again);
  }

  async snapshot(dojoId: string): Promise<unknown> {
    const row = await retry(() => this.#store.get(TABLES.snapshots, { dojo_id: dojoId }), again);
    return row?.state ?? undefined;
  }

  /**
   * Saves many rooms' snapshots, group-committed: batches of up to ~48 KB (under Cassandra's batch size
   * limit), a larger snapshot alone. With the embedded store each batch is one transaction (one fsync),
   * which is what lets one node snapshot hundreds of busy rooms.
   */
  async saveSnapshots(
    items: readonly { key: string; snapshot: unknown }[],
    processId: string,
  ): Promise<void> {
    const saved = new Date();
    let batch: WriteOp[] = [];
    let bytes = 0;
    const flush = async () => {
      const ops = batch;
      batch = [];
      bytes = 0;
      if (!ops.length) return;
      await retry(() => this.#store.batch(ops), again);
      // The embedded store commits synchronously: let sockets and timers run between two batches.
      await new Promise((resolve) => setImmediate(resolve));
    };
    for (const { key, snapshot } of items) {
      const size = JSON.stringify(snapshot).length;
      if (bytes + size > SNAPSHOT_BATCH_BYTES) await flush();
      batch.push({
        kind: 'update',
        table: TABLES.snapshots,
        key: { dojo_id: key },
        set: { state: snapshot, saved, process_id: processId },
      });
      bytes += size;
    }
    await flush();
  }
}
