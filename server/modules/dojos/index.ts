import { matchMaker } from '@colyseus/core';
import { DOJO_ROOM } from '../../../protocol/dojo.ts';
import { DEFAULT_ROOM_OPTIONS, type DojoRoomOptions } from '../../../rooms/dojo/context.ts';
import { createDojoRoom } from '../../../rooms/dojo/room.ts';
import { SnapshotScheduler } from '../../../rooms/dojo/snapshot.ts';
import type { Adapters } from '../../adapters/index.ts';
import type { DojoModule, ModuleContext } from '../../modules.ts';
import { requireAuth, verifyAccessToken } from '../accounts/auth-middleware.ts';
import { ChatWriter } from './chat-writer.ts';
import { dojoEndpoints } from './endpoints.ts';
import { MemoryLeaseStore, RedisLeaseStore } from './lease.ts';
import { LiveRooms } from './live.ts';
import { DojosRepo } from './repo.ts';
import { DOJOS_MIGRATIONS } from './schema.ts';
import { DojosService, type UserLookup } from './service.ts';

export interface DojosModuleOptions {
  readonly room?: Partial<DojoRoomOptions>;
}

export interface DojosModule extends DojoModule {
  /** The live-room registry of the system running on these adapters (tests and benchmarks). */
  liveFor(adapters: Adapters): LiveRooms | undefined;
}

interface DojosSystem {
  readonly repo: DojosRepo;
  readonly chat: ChatWriter;
  readonly snapshots: SnapshotScheduler;
  readonly live: LiveRooms;
  readonly service: DojosService;
  readonly users: UserLookup & { displayName(userId: string): Promise<string | undefined> };
}

/** The accounts module's users (read only): tenant, status and display name. */
function accountsUsers(ctx: ModuleContext): DojosSystem['users'] {
  const repo = () => {
    const service = ctx.services.accounts;
    if (!service) throw new Error('the dojos module needs the accounts module in the same system');
    return service.repo;
  };
  return {
    user: async (userId) => {
      const user = await repo().user(userId);
      return user && { tenantId: user.tenantId, active: user.accountStatus === 'A' };
    },
    displayName: async (userId) => {
      const user = await repo().user(userId);
      if (!user || user.accountStatus !== 'A') return undefined;
      return `${user.firstName} ${user.lastName}`.trim() || user.username;
    },
  };
}

/**
 * Dojos (issue #5): scheduling and membership over REST, the chat's REST side, and the live `dojo` room.
 * Each system that wires the module gets its own repo, lease store and live-room registry (a process may
 * run several systems in tests); close() ends them.
 */
export function createDojosModule(options: DojosModuleOptions = {}): DojosModule {
  const roomOptions: DojoRoomOptions = { ...DEFAULT_ROOM_OPTIONS, ...options.room };
  const systems = new WeakMap<Adapters, DojosSystem>();
  const opened = new Set<DojosSystem>();

  const ensure = (ctx: ModuleContext): DojosSystem => {
    const existing = systems.get(ctx.adapters);
    if (existing) return existing;
    const logger = ctx.logger.child({ module: 'dojos' });
    const repo = new DojosRepo(ctx.adapters.store);
    const redis = ctx.config.redis;
    const leases = redis
      ? new RedisLeaseStore({ url: redis.url, keyPrefix: redis.keyPrefix, logger })
      : new MemoryLeaseStore(() => matchMaker.processId);
    const live = new LiveRooms({
      bus: ctx.adapters.bus,
      leases,
      logger,
      processId: () => matchMaker.processId,
    });
    const users = accountsUsers(ctx);
    const snapshots = new SnapshotScheduler({
      intervalMs: roomOptions.snapshotIntervalMs,
      write: (items) => repo.saveSnapshots(items, matchMaker.processId ?? ''),
      onError: (error, keys) =>
        logger.warn({ err: error, dojos: keys.length }, 'room snapshots not saved; retrying'),
    });
    const chat = new ChatWriter({ repo, windowMs: roomOptions.chatWindowMs });
    const system = {
      repo,
      live,
      users,
      snapshots,
      chat,
      service: new DojosService({ repo, users, live, logger }),
    };
    systems.set(ctx.adapters, system);
    opened.add(system);
    return system;
  };

  return {
    name: 'dojos',
    migrations: DOJOS_MIGRATIONS,
    endpoints: (ctx) => dojoEndpoints(ensure(ctx).service, requireAuth(ctx)),
    rooms: (ctx) => {
      const { repo, live, users, snapshots, chat } = ensure(ctx);
      const room = createDojoRoom({
        repo,
        live,
        snapshots,
        chat,
        logger: ctx.logger.child({ module: 'dojos' }),
        options: roomOptions,
        authenticate: (token) => verifyAccessToken(ctx, token),
        displayName: (userId) => users.displayName(userId),
      });
      return [{ name: DOJO_ROOM, room, filterBy: ['dojoId'] }];
    },
    liveFor: (adapters) => systems.get(adapters)?.live,
    close: async () => {
      const all = [...opened];
      opened.clear();
      await Promise.allSettled(all.flatMap((s) => [s.snapshots.close(), s.chat.close()]));
      await Promise.allSettled(all.map((s) => s.live.close()));
    },
  };
}
