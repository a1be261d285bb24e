/**
 * What modules offer each other through the module context, as narrow interfaces: a module depends on a
 * capability (verify a caller, look a user up), never on the module that provides it or its internals.
 * The module that provides one returns it from its `init` in `provides`; later modules read it from `ctx`.
 */
import type { PlanLimits, PlanName } from '../config/plans.ts';
import type { WriteOp } from './ports/store.ts';

export const TENANT_ROLES = ['owner', 'admin', 'member'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

/** Who is calling, as proven by a verified access token. */
export interface Caller {
  readonly userId: string;
  readonly tenantId: string;
  readonly role: TenantRole;
  readonly jti: string;
  /** The session (refresh-token family) the token belongs to. */
  readonly sessionId: string;
  /** Epoch seconds. */
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** A user as other modules may see one: enough to check membership and show a name. */
export interface UserSummary {
  readonly userId: string;
  readonly tenantId: string;
  readonly username: string;
  /** "First Last", or the username when both are empty. */
  readonly displayName: string;
  readonly email: string;
  /** Confirmed and not disabled. */
  readonly active: boolean;
  /** The profile's settings (flat names, e.g. `notifications.email.dojo.invited`). */
  readonly settings: Readonly<Record<string, string | number | boolean>>;
}

export interface Auth {
  /** The caller a raw access token proves; rejects with a 401 AppError (`AUTH.*`). */
  verify(token: string): Promise<Caller>;
  /**
   * The caller of a token this node verified and checked recently, without a promise (the hot path), or
   * undefined when it must be verified with `verify`. Throws what `verify` would reject with.
   */
  known(token: string): Caller | undefined;
  /** A user of that tenant; undefined for an unknown user and for another tenant's. */
  user(tenantId: string, userId: string): Promise<UserSummary | undefined>;
  /** The tenant's owners and admins with active accounts: who hears about its billing. */
  managers(tenantId: string): Promise<readonly UserSummary[]>;
  /**
   * Calls `listener` on this node whenever a revocation reaches it from any node: a token (logout), a
   * session, or all of a user's sessions (password change, disabling). Returns the unsubscribe.
   */
  onRevoked(listener: (revocation: Revocation) => void): () => void;
}

export type Revocation =
  | { readonly kind: 'token'; readonly jti: string }
  | { readonly kind: 'session'; readonly sessionId: string }
  | { readonly kind: 'user'; readonly userId: string };

/** The notification types of the contract ("Notifications"). */
export const NOTIFICATION_TYPES = [
  'dojo.invited',
  'dojo.reminder',
  'dojo.started',
  'recording.ready',
  'report.ready',
  'video.ready',
  'payment.succeeded',
  'payment.failed',
  'subscription.renewed',
  'subscription.expiring',
  'subscription.downgraded',
  'invitation.accepted',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface NotificationRequest {
  readonly tenantId: string;
  readonly userId: string;
  readonly type: NotificationType;
  readonly title: string;
  readonly message: string;
  /** The ids a client needs to open the thing (`dojoId`, `reportId`…), as strings. */
  readonly data: Readonly<Record<string, string>>;
  /**
   * The same key for the same fact (e.g. `dojo.invited:<dojoId>:<userId>`): a request delivered twice, or
   * sent again after a crash, shows one notification.
   */
  readonly dedupeKey: string;
}

export interface Notify {
  /** Queues the requests (durably, once this resolves); a worker stores, pushes and mails them. */
  send(requests: readonly NotificationRequest[]): Promise<void>;
}

/** Server → client events of the realtime push (the contract's socket.io events). */
export interface PushEvents {
  readonly notification: Readonly<Record<string, unknown>>;
  readonly 'notification:count': { readonly unreadCount: number };
  readonly 'job:progress': {
    readonly kind: 'report' | 'video' | 'recording';
    readonly id: string;
    readonly status: string;
    readonly progress: number;
  };
}

export interface Push {
  /** Sends an event to every socket of the user, on whichever node it is connected (best effort). */
  toUser<E extends keyof PushEvents>(userId: string, event: E, payload: PushEvents[E]): Promise<void>;
}

export interface ScheduledTask {
  /** Names the task: scheduling the same id again moves it; `cancel(id)` drops it. */
  readonly id: string;
  /**
   * The queue topic the task is published to when due; the module that scheduled it consumes it and
   * declares it in its `topics`, so the queue has it at boot.
   */
  readonly topic: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly runAt: Date;
}

/**
 * Durable delayed tasks. `schedule` is durable once it resolves: the task is published to `topic`, keyed
 * by `id`, at `runAt` (or as soon as a workers node is up after it). Delivery is at least once: a node
 * that dies after publishing and before recording it, or is slower than the claim timeout, lets another
 * node publish it again, so the consumer must be idempotent (the `scheduled-version` header is the same
 * on every copy of one scheduling). A call that rejects may or may not have taken effect; calling it
 * again with the same id is safe (it moves the task, never duplicates it).
 */
export interface Scheduler {
  schedule(task: ScheduledTask): Promise<void>;
  /** The task will not be published unless a node has already claimed it. Unknown ids are a no-op. */
  cancel(id: string): Promise<void>;
}

/** Operator actions on accounts (an admin console or a runbook calls them in-process). */
export interface AccountsAdmin {
  /** Signs with a new key from now on; tokens of the retired key keep verifying until they expire. */
  rotateSigningKey(): Promise<void>;
  /** Rotates when the current key is older than its maximum age; answers whether it did. */
  rotateSigningKeyIfDue(): Promise<boolean>;
  /** Disables an account and ends its sessions at once. */
  disableUser(userId: string): Promise<void>;
}

/** What a tenant's plan buys, as the billing module decides it (FREE when no billing module runs). */
export interface TenantPlan {
  readonly plan: PlanName;
  readonly limits: PlanLimits;
  /** As `GET /v1/tenant` shows it. */
  readonly subscription: {
    readonly plan: PlanName;
    readonly status: 'ACTIVE' | 'PAST_DUE';
    readonly expiresAt: string | null;
    readonly autoRenew: boolean;
  };
}

export interface Entitlements {
  /** The plan in force for the tenant now (a lapsed subscription is FREE even before its downgrade is written). */
  of(tenantId: string): Promise<TenantPlan>;
}

/** The domains whose facts are published, each on a topic of its own (`events.<domain>`). */
export const EVENT_DOMAINS = ['accounts', 'pocs', 'dojos', 'billing'] as const;
export type EventDomain = (typeof EVENT_DOMAINS)[number];

/** A fact a module recorded, as it travels to the reporting read model (and any other consumer). */
export interface DomainEvent {
  /** Time-ordered (UUIDv7): consumers deduplicate on it. */
  readonly eventId: string;
  readonly domain: EventDomain;
  /** `poc.created`, `payment.succeeded`… (see server/modules/events/README.md). */
  readonly type: string;
  /** The version of the type's `data` shape. */
  readonly version: number;
  readonly tenantId: string;
  /** When the fact happened (ISO). */
  readonly at: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export type NewDomainEvent = Omit<DomainEvent, 'eventId' | 'at'> & { readonly at?: Date };

export interface Events {
  /**
   * Records facts in the outbox (durably, once this resolves); the workers role publishes them to their
   * domain's topic, keyed by tenant, at least once and in order per tenant. Call it after the fact's own
   * write and before answering the client: an answered write always has its event.
   */
  emit(events: readonly NewDomainEvent[]): Promise<void>;
  /**
   * The same outbox rows as store writes, for a module to put into the logged batch that records the fact
   * itself: the fact and its events land together or not at all, in one write instead of two.
   */
  writes(events: readonly NewDomainEvent[]): WriteOp[];
}

/** Operator actions on the reporting read model (`npm run reports:backfill` calls them). */
export interface ReportsAdmin {
  /** Rebuilds the read model from the system of record; answers how many events it replayed. */
  backfill(): Promise<{ events: number }>;
}

/** One user's year as the reporting read model holds it (what the year-in-review video shows). */
export interface UserYear {
  readonly pocs: {
    readonly total: number;
    readonly byMonth: readonly number[];
    readonly languages: readonly { readonly language: string; readonly count: number }[];
    readonly tags: readonly { readonly tag: string; readonly count: number }[];
    readonly favorites: readonly { readonly name: string; readonly language: string }[];
  };
  readonly dojos: { readonly attended: number; readonly minutes: number };
}

/** Reads of the reporting read model for other modules (the reports module provides it). */
export interface ReadModel {
  userYear(tenantId: string, userId: string, year: number): Promise<UserYear>;
}

/** Which recording a room is writing, and whose. */
export interface RecordingRef {
  readonly recordingId: string;
  readonly dojoId: string;
  readonly tenantId: string;
}

/** What happened in the room during a recording, on its clock (`at`: seconds from its start). */
export type ReplayEvent =
  | { readonly at: number; readonly type: 'code'; readonly text: string; readonly language?: string }
  | { readonly at: number; readonly type: 'chat'; readonly userId: string; readonly text: string }
  | { readonly at: number; readonly type: 'rotate'; readonly pilotId: string; readonly copilotId: string };

export interface RecordingChapter {
  readonly at: number;
  readonly title: string;
  readonly pilotId: string;
}

/** A recording as `GET /v1/dojos/{dojoId}` lists it. */
export interface RecordingView {
  readonly recordingId: string;
  /** RECORDING while the room records, PROCESSING while a worker composes the MP4, then READY or FAILED. */
  readonly status: 'RECORDING' | 'PROCESSING' | 'READY' | 'FAILED';
  readonly startedAt: string;
  readonly url?: string;
  readonly durationSec?: number;
  readonly chapters: readonly RecordingChapter[];
  /** 0–100 while PROCESSING. */
  readonly progress?: number;
}

/** A closed piece of one participant's media, as the SFU hands it out (a local WebM file). */
export interface RecordingSegment {
  readonly participantId: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly path: string;
  readonly kinds: readonly ('audio' | 'video')[];
}

/** Dojo recordings (the recordings module): what the live room writes, and what the REST side reads. */
export interface Recordings {
  /** A new recording of the dojo, RECORDING from `at`. */
  begin(dojo: { readonly dojoId: string; readonly tenantId: string }, at: Date): Promise<RecordingRef>;
  /** Stores one closed media segment (uploads the file, then deletes it). */
  segment(ref: RecordingRef, segment: RecordingSegment): Promise<void>;
  /** Stores a chunk of the timeline (events in order); chunks are read back in the order of their first `at`. */
  timeline(ref: RecordingRef, events: readonly ReplayEvent[]): Promise<void>;
  /** The room still records (a recording nobody touches for a while is taken for a dead node's and finished). */
  touch(ref: RecordingRef): Promise<void>;
  /** Ends the recording at `at` and queues its composition; `notify` hears when it is ready. */
  finish(ref: RecordingRef, at: Date, notify: readonly string[]): Promise<void>;
  list(dojoId: string): Promise<readonly RecordingView[]>;
  /** One recording's status (a single-row read); undefined when there is no such recording. */
  status(ref: RecordingRef): Promise<RecordingView['status'] | undefined>;
  /** The timeline of one recording of the dojo (default: the latest); undefined when there is none. */
  replay(
    dojoId: string,
    recordingId?: string,
  ): Promise<{ readonly recordingId: string; readonly events: readonly ReplayEvent[] } | undefined>;
}

export interface Capabilities {
  readonly auth: Auth;
  readonly accountsAdmin: AccountsAdmin;
  readonly scheduler: Scheduler;
  readonly push: Push;
  readonly notify: Notify;
  readonly entitlements: Entitlements;
  readonly events: Events;
  readonly reportsAdmin: ReportsAdmin;
  readonly readModel: ReadModel;
  readonly recordings: Recordings;
}

export type CapabilityName = keyof Capabilities;

/** Every capability's name, for the context's accessors (the check below fails to compile if one is missing). */
export const CAPABILITY_NAMES = [
  'auth',
  'accountsAdmin',
  'scheduler',
  'push',
  'notify',
  'entitlements',
  'events',
  'reportsAdmin',
  'readModel',
  'recordings',
] as const satisfies readonly CapabilityName[];
type Missing = Exclude<CapabilityName, (typeof CAPABILITY_NAMES)[number]>;
export const everyCapabilityNamed: [Missing] extends [never] ? true : Missing = true;
