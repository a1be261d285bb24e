import { randomUUID } from 'node:crypto';
import type { DojoStatus } from '../../../protocol/dojo.ts';
import {
  AppError,
  conflict,
  forbidden,
  invalid,
  notFound,
  unavailable,
  type FieldError,
} from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import type {
  Auth,
  Caller as AuthContext,
  Entitlements,
  Events,
  Recordings,
  RecordingView,
  ReplayEvent,
} from '../../capabilities.ts';
import type { LiveRooms } from './live.ts';
import type { DojoNotices } from './notices.ts';
import type { Dojo, DojosRepo, DojoListing, Message, MessageRef } from './repo.ts';

/** What the dojos module needs to know about a user: the kernel's user lookup. */
export type UserLookup = Pick<Auth, 'user'>;

/** Messages returned by one read at most (the newest ones, oldest first). */
export const MESSAGES_READ_LIMIT = 1000;
const FAR_FUTURE = new Date('9999-12-31T23:59:59.999Z');

const noSuchDojo = () => notFound('DOJO.NOT_FOUND', 'No such dojo.');
const isManager = (auth: AuthContext) => auth.role === 'owner' || auth.role === 'admin';

/** `2025-03-01` is that day's first instant, or with `endOfDay` its last. */
export function instantOf(value: string, endOfDay = false): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value))
    return new Date(`${value}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z`);
  return new Date(value);
}

export class DojosService {
  readonly #repo: DojosRepo;
  readonly #users: UserLookup;
  readonly #live: LiveRooms;
  readonly #logger: Logger;

  readonly #notices: DojoNotices;
  readonly #entitlements: () => Entitlements | undefined;
  readonly #events: () => Events | undefined;
  readonly #recordings: () => Recordings | undefined;

  constructor(options: {
    repo: DojosRepo;
    users: UserLookup;
    live: LiveRooms;
    logger: Logger;
    notices: DojoNotices;
    /** What the tenant's plan buys (recording), when a billing module runs. */
    entitlements: () => Entitlements | undefined;
    /** Records dojo facts for the reporting read model, when an events module runs. */
    events: () => Events | undefined;
    /** The dojo's recordings, when a recordings module runs. */
    recordings: () => Recordings | undefined;
  }) {
    this.#recordings = options.recordings;
    this.#events = options.events;
    this.#notices = options.notices;
    this.#entitlements = options.entitlements;
    this.#repo = options.repo;
    this.#users = options.users;
    this.#live = options.live;
    this.#logger = options.logger;
  }

  /** The creator hosts; every other member must be an active user of the creator's tenant (else 400). */
  async create(
    auth: AuthContext,
    input: { dojoDate: string; members: string[]; subject: string },
  ): Promise<string> {
    const problems: FieldError[] = [];
    await Promise.all(
      input.members.map(async (userId, i) => {
        if (userId === auth.userId) return;
        const user = await this.#users.user(auth.tenantId, userId);
        if (!user?.active) {
          problems.push({ path: `members.${i}`, message: 'Not an active user of your workspace' });
        }
      }),
    );
    if (problems.length) {
      problems.sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
      throw invalid(
        'DOJO.UNKNOWN_MEMBER',
        'Every member must be an active user of your workspace.',
        problems,
      );
    }
    const members = [...new Set([auth.userId, ...input.members])];
    const dojo = {
      dojoId: randomUUID(),
      tenantId: auth.tenantId,
      hostId: auth.userId,
      subject: input.subject,
      dojoDate: instantOf(input.dojoDate),
      created: new Date(),
      opened: null,
    };
    await this.#repo.create(dojo, members);
    await this.#events()?.emit([
      {
        domain: 'dojos',
        type: 'dojo.created',
        version: 1,
        tenantId: dojo.tenantId,
        at: dojo.created,
        data: {
          dojoId: dojo.dojoId,
          hostId: dojo.hostId,
          dojoDate: dojo.dojoDate.toISOString(),
          members: members.length,
        },
      },
    ]);
    await this.#notices.created(dojo, members);
    return dojo.dojoId;
  }

  async list(auth: AuthContext, from?: string, to?: string): Promise<DojoListing[]> {
    const start = from ? instantOf(from) : new Date(0);
    const end = to ? instantOf(to, true) : FAR_FUTURE;
    if (start > end)
      throw invalid('DOJO.BAD_RANGE', '`from` is after `to`.', [
        { path: 'query.from', message: 'After `to`' },
      ]);
    return this.#repo.dojosOf(auth.userId, start, end, 500);
  }

  /** The dojo when the caller is one of its members; 404 for anyone else (another tenant's included). */
  async visible(auth: AuthContext, dojoId: string): Promise<Dojo> {
    const dojo = await this.#repo.dojo(dojoId);
    if (!dojo || dojo.tenantId !== auth.tenantId || !(await this.#repo.isMember(dojoId, auth.userId))) {
      throw noSuchDojo();
    }
    return dojo;
  }

  async details(
    auth: AuthContext,
    dojoId: string,
  ): Promise<{ dojo: Dojo; members: string[]; status: DojoStatus; recordings: readonly RecordingView[] }> {
    const dojo = await this.visible(auth, dojoId);
    const [members, live, recordings] = await Promise.all([
      this.#repo.memberIds(dojoId),
      this.#live.isLive(dojoId),
      this.#recordings()?.list(dojoId) ?? [],
    ]);
    const status: DojoStatus = live ? 'LIVE' : dojo.opened ? 'ENDED' : 'SCHEDULED';
    return { dojo, members, status, recordings };
  }

  /** A recording's timeline (default: the dojo's latest); 404 DOJO.NO_RECORDING when there is none. */
  async replay(
    auth: AuthContext,
    dojoId: string,
    recordingId?: string,
  ): Promise<{ recordingId: string; events: readonly ReplayEvent[] }> {
    await this.visible(auth, dojoId);
    const replay = await this.#recordings()?.replay(dojoId, recordingId);
    if (!replay) throw notFound('DOJO.NO_RECORDING', 'No such recording of this dojo.');
    return replay;
  }

  /**
   * Turns recording on or off in the dojo's live room, wherever it runs. The room decides who hosts (the
   * host can hand over in the room); without a live room there is nothing to record: 409 DOJO.NOT_LIVE.
   */
  async setRecording(auth: AuthContext, dojoId: string, on: boolean): Promise<string | null> {
    const dojo = await this.visible(auth, dojoId);
    const live = await this.#live.isLive(dojoId);
    // A member who may not do it at all hears that first, then what the plan lacks, then the room's state.
    if (!live && dojo.hostId !== auth.userId) throw notHost();
    if (on) await this.#assertRecordingAllowed(auth.tenantId);
    if (!live) {
      throw conflict('DOJO.NOT_LIVE', 'The dojo has no live room: open it (join the room) first.');
    }
    // Stopping waits for the last segments to reach the blob store: give the room longer than a flip.
    const outcome = await this.#live.ask({ op: 'recording', dojoId, userId: auth.userId, on }, 15_000);
    if (!outcome) throw unavailable('DOJO.ROOM_UNREACHABLE', 'The live room did not answer; try again.');
    if (!outcome.ok) throw notHost();
    return outcome.recordingId ?? null;
  }

  async #assertRecordingAllowed(tenantId: string): Promise<void> {
    const plan = await this.#entitlements()?.of(tenantId);
    if (plan && !plan.limits.recording) {
      throw new AppError(
        'DOJO.RECORDING_NOT_IN_PLAN',
        `Plan ${plan.plan} does not include recording dojos.`,
        {
          kind: 'PAYMENT_REQUIRED',
          fields: [{ path: 'limits.recording', message: `Not in plan ${plan.plan}; upgrade to record` }],
        },
      );
    }
  }

  async messages(auth: AuthContext, dojoId: string, userId?: string): Promise<Message[]> {
    await this.visible(auth, dojoId);
    return this.#repo.messages(dojoId, { limit: MESSAGES_READ_LIMIT, ...(userId ? { userId } : {}) });
  }

  /**
   * Soft-deletes messages the caller wrote (a tenant owner or admin may remove anyone's in the tenant).
   * Ids the caller cannot see are ignored as unknown; one the caller sees but may not remove refuses the
   * whole request (403) before anything changes. Live rooms drop them from their chat.
   */
  async remove(auth: AuthContext, messageIds: string[]): Promise<number> {
    const refs = await Promise.all([...new Set(messageIds)].map((id) => this.#repo.messageRef(id)));
    const membership = new Map<string, Promise<boolean>>();
    const canSee = (ref: MessageRef) => {
      if (ref.tenantId !== auth.tenantId) return Promise.resolve(false);
      if (isManager(auth)) return Promise.resolve(true);
      let member = membership.get(ref.dojoId);
      if (!member) membership.set(ref.dojoId, (member = this.#repo.isMember(ref.dojoId, auth.userId)));
      return member;
    };
    const visible: MessageRef[] = [];
    for (const ref of refs) if (ref && ref.status === 'A' && (await canSee(ref))) visible.push(ref);
    if (visible.some((ref) => ref.userId !== auth.userId && !isManager(auth))) {
      throw forbidden(
        'DOJO.NOT_AUTHOR',
        'Only the author or a workspace owner or admin can remove a message.',
      );
    }
    await this.#repo.removeMessages(visible);
    const byDojo = Map.groupBy(visible, (ref) => ref.dojoId);
    for (const [dojoId, gone] of byDojo) {
      this.#live
        .tell({ op: 'removeMessages', dojoId, messageIds: gone.map((r) => r.messageId) })
        .catch((error) => {
          this.#logger.warn({ err: error, dojoId }, 'live room not told about removed messages');
        });
    }
    return visible.length;
  }
}

function notHost(): AppError {
  return forbidden('DOJO.NOT_HOST', "Only the dojo's host can do this.");
}
