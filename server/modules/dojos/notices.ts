import type { Auth, NotificationRequest, Notify, Scheduler } from '../../capabilities.ts';
import type { Logger } from '../../lib/log.ts';
import type { Dojo, DojosRepo } from './repo.ts';

export const REMINDERS_TOPIC = 'dojos.reminders';
/** The reminder goes out this long before `dojoDate`. */
export const REMINDER_LEAD_MS = 10 * 60_000;

const when = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/**
 * What the dojos module tells members, through the notifications and scheduler capabilities when they
 * run (a system without them simply tells nothing). Each request's dedupe key names the fact, so a
 * retried request shows one notification.
 */
export interface DojoNoticesOptions {
  readonly repo: DojosRepo;
  readonly auth: Pick<Auth, 'user'>;
  /** Read when used: absent in a system without notifications (or without a scheduler). */
  readonly notify: () => Notify | undefined;
  readonly scheduler: () => Scheduler | undefined;
  readonly logger: Logger;
  readonly now: () => number;
}

export class DojoNotices {
  readonly #o: DojoNoticesOptions;

  constructor(options: DojoNoticesOptions) {
    this.#o = options;
  }

  /**
   * A new dojo: every member but the host is invited, and the reminder is scheduled. The dojo exists
   * whatever happens here: a failure is logged, not the request's.
   */
  async created(dojo: Dojo, members: readonly string[]): Promise<void> {
    try {
      await this.#created(dojo, members);
    } catch (error) {
      this.#o.logger.warn({ err: error, dojoId: dojo.dojoId }, 'dojo invitations not sent');
    }
  }

  async #created(dojo: Dojo, members: readonly string[]): Promise<void> {
    const host = await this.#o.auth.user(dojo.tenantId, dojo.hostId);
    const hostName = host?.displayName ?? 'Your host';
    await this.#send(
      members
        .filter((userId) => userId !== dojo.hostId)
        .map((userId) =>
          this.#request(dojo, userId, 'dojo.invited', {
            title: `Dojo invitation: ${dojo.subject}`,
            message: `${hostName} invited you to the dojo "${dojo.subject}" on ${when(dojo.dojoDate)}.`,
          }),
        ),
    );
    await this.scheduleReminder(dojo);
  }

  async scheduleReminder(dojo: Dojo): Promise<void> {
    const scheduler = this.#o.scheduler();
    const runAt = new Date(dojo.dojoDate.getTime() - REMINDER_LEAD_MS);
    if (!scheduler || runAt.getTime() <= this.#o.now()) return;
    await scheduler.schedule({
      id: `dojo.reminder:${dojo.dojoId}`,
      topic: REMINDERS_TOPIC,
      payload: { dojoId: dojo.dojoId },
      runAt,
    });
  }

  /** The reminder, when the scheduler hands it over: to every member, the host included. */
  async remind(dojoId: string): Promise<void> {
    const dojo = await this.#o.repo.dojo(dojoId);
    if (!dojo) return;
    const members = await this.#o.repo.memberIds(dojoId);
    await this.#send(
      members.map((userId) =>
        this.#request(dojo, userId, 'dojo.reminder', {
          title: `Starting soon: ${dojo.subject}`,
          message: `The dojo "${dojo.subject}" starts at ${when(dojo.dojoDate)}: join it from your dojos.`,
        }),
      ),
    );
  }

  /** The dojo's room opened for the first time: every member is told it is live (never fails the room). */
  async started(dojo: Dojo): Promise<void> {
    try {
      await this.#started(dojo);
    } catch (error) {
      this.#o.logger.warn({ err: error, dojoId: dojo.dojoId }, 'dojo.started not sent');
    }
  }

  async #started(dojo: Dojo): Promise<void> {
    const members = await this.#o.repo.memberIds(dojo.dojoId);
    await this.#send(
      members.map((userId) =>
        this.#request(dojo, userId, 'dojo.started', {
          title: `Live now: ${dojo.subject}`,
          message: `The dojo "${dojo.subject}" has started. Join in.`,
        }),
      ),
    );
  }

  #request(
    dojo: Dojo,
    userId: string,
    type: 'dojo.invited' | 'dojo.reminder' | 'dojo.started',
    text: { title: string; message: string },
  ): NotificationRequest {
    return {
      tenantId: dojo.tenantId,
      userId,
      type,
      ...text,
      data: { dojoId: dojo.dojoId },
      dedupeKey: `${type}:${dojo.dojoId}:${userId}`,
    };
  }

  async #send(requests: readonly NotificationRequest[]): Promise<void> {
    const notify = this.#o.notify();
    if (notify && requests.length) await notify.send(requests);
  }
}
