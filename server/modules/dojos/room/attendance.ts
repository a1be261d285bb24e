import { randomUUID } from 'node:crypto';
import type { NewDomainEvent } from '../../../capabilities.ts';
import type { Logger } from '../../../lib/log.ts';
import type { Dojo, Participation } from '../repo.ts';

/**
 * Who took part in a live room and for how long, as domain events: a participation starts with a user's
 * first connection and ends with their last (a reconnection within the grace period is the same one).
 * Events leave the room without blocking it; one lost to a dying node is what the room's state loses too.
 */
/** A participation as its event carries it (the dojos module's history says the same). */
export const participationData = (p: Participation) => ({
  dojoId: p.dojoId,
  userId: p.userId,
  participationId: p.participationId,
  joinedAt: p.joinedAt.toISOString(),
  minutes: p.minutes,
});

export class Attendance {
  readonly #since = new Map<string, { readonly id: string; readonly at: number }>();
  readonly #emit: (events: NewDomainEvent[]) => Promise<void> | undefined;
  readonly #save: (p: Participation) => Promise<void>;
  readonly #logger: Logger;

  constructor(options: {
    emit: (events: NewDomainEvent[]) => Promise<void> | undefined;
    save: (p: Participation) => Promise<void>;
    logger: Logger;
  }) {
    this.#emit = options.emit;
    this.#save = options.save;
    this.#logger = options.logger;
  }

  opened(dojo: Dojo, at: number): void {
    this.#send(dojo, 'dojo.started', at, { dojoId: dojo.dojoId });
  }

  joined(dojo: Dojo, userId: string, at: number): void {
    if (this.#since.has(userId)) return;
    const participation = { id: randomUUID(), at };
    this.#since.set(userId, participation);
    this.#send(dojo, 'participant.joined', at, {
      dojoId: dojo.dojoId,
      userId,
      participationId: participation.id,
    });
  }

  left(dojo: Dojo, userId: string, at: number): void {
    const participation = this.#since.get(userId);
    if (!participation) return;
    this.#since.delete(userId);
    const done: Participation = {
      participationId: participation.id,
      dojoId: dojo.dojoId,
      tenantId: dojo.tenantId,
      userId,
      joinedAt: new Date(participation.at),
      leftAt: new Date(at),
      minutes: Math.round((at - participation.at) / 600) / 100,
    };
    // Kept in the store first (what a backfill reads), then told.
    this.#save(done).then(
      () => this.#send(dojo, 'participant.left', at, participationData(done)),
      (error: unknown) => this.#logger.warn({ err: error }, 'participation not saved'),
    );
  }

  closed(dojo: Dojo, at: number): void {
    for (const userId of [...this.#since.keys()]) this.left(dojo, userId, at);
    this.#send(dojo, 'dojo.ended', at, { dojoId: dojo.dojoId });
  }

  #send(dojo: Dojo, type: string, at: number, data: Record<string, unknown>): void {
    const event = {
      domain: 'dojos',
      type,
      version: 1,
      tenantId: dojo.tenantId,
      at: new Date(at),
      data,
    } as const;
    this.#emit([event])?.catch((error: unknown) =>
      this.#logger.warn({ err: error, type }, 'dojo event not recorded'),
    );
  }
}
