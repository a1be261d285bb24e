import path from 'node:path';
import { matchMaker } from '@colyseus/core';
import { DOJO_ROOM, JOIN_ERRORS } from '../../../protocol/dojo.ts';
import type { ErrorKind } from '../../lib/errors.ts';
import type { DojoModule } from '../../modules.ts';
import { ChatWriter } from './chat-writer.ts';
import { dojoEndpoints } from './endpoints.ts';
import { LiveRooms } from './live.ts';
import { DojoNotices, REMINDERS_TOPIC } from './notices.ts';
import { DojosRepo } from './repo.ts';
import { DEFAULT_ROOM_OPTIONS, type DojoRoomOptions } from './room/context.ts';
import { createDojoRoom } from './room/room.ts';
import { SnapshotScheduler } from './room/snapshot.ts';
import { dojosHistory } from './history.ts';
import { DOJOS_MIGRATIONS } from './schema.ts';
import { DojosService } from './service.ts';

/** What each refusal of a seat in a dojo room means (the matchmaking route's 4xx). */
const JOIN_ERROR_KINDS: Readonly<Record<string, ErrorKind>> = {
  [JOIN_ERRORS.TOKEN_REQUIRED]: 'UNAUTHENTICATED',
  [JOIN_ERRORS.TOKEN_INVALID]: 'UNAUTHENTICATED',
  [JOIN_ERRORS.TOKEN_EXPIRED]: 'UNAUTHENTICATED',
  [JOIN_ERRORS.NOT_FOUND]: 'NOT_FOUND',
  [JOIN_ERRORS.INVALID_OPTIONS]: 'INVALID',
  [JOIN_ERRORS.ROOM_BUSY]: 'CONFLICT',
};

export interface DojosModuleOptions {
  readonly room?: Partial<DojoRoomOptions>;
}

/**
 * Dojos (issue #5): scheduling and membership over REST, the chat's REST side, and the live `dojo` room.
 * Each system gets its own repo, live-room registry, snapshot and chat writers; the lease that keeps one
 * room per dojo is the system's lease adapter. Colyseus's process id is module state of Colyseus itself
 * (one matchmaker per process), read where a room needs it.
 */
export function createDojosModule(options: DojosModuleOptions = {}): DojoModule {
  const roomOptions: DojoRoomOptions = { ...DEFAULT_ROOM_OPTIONS, ...options.room };
  return {
    name: 'dojos',
    migrations: DOJOS_MIGRATIONS,
    topics: [REMINDERS_TOPIC],
    init: (ctx) => {
      const logger = ctx.logger.child({ module: 'dojos' });
      const repo = new DojosRepo(ctx.adapters.store);
      const live = new LiveRooms({
        bus: ctx.adapters.bus,
        leases: ctx.adapters.leases,
        logger,
        processId: () => matchMaker.processId,
      });
      const snapshots = new SnapshotScheduler({
        intervalMs: roomOptions.snapshotIntervalMs,
        write: (items) => repo.saveSnapshots(items, matchMaker.processId ?? ''),
        onError: (error, keys) =>
          logger.warn({ err: error, dojos: keys.length }, 'room snapshots not saved; retrying'),
      });
      const chat = new ChatWriter({ repo, windowMs: roomOptions.chatWindowMs });
      const notices = new DojoNotices({
        repo,
        auth: ctx.auth,
        notify: () => ctx.optional('notify'),
        scheduler: () => ctx.optional('scheduler'),
        logger,
        now: Date.now,
      });
      const room = createDojoRoom({
        repo,
        live,
        snapshots,
        chat,
        logger,
        options: roomOptions,
        auth: ctx.auth,
        notices,
        events: () => ctx.optional('events'),
        sfu: ctx.adapters.sfu,
        recordings: () => ctx.optional('recordings'),
        spoolDir: path.join(ctx.config.dataDir, 'recording-spool'),
      });
      return {
        history: () => dojosHistory(ctx.adapters.store),
        endpoints: dojoEndpoints(
          new DojosService({
            repo,
            users: ctx.auth,
            live,
            logger,
            notices,
            entitlements: () => ctx.optional('entitlements'),
            events: () => ctx.optional('events'),
            recordings: () => ctx.optional('recordings'),
          }),
        ),
        workers: [
          {
            topic: REMINDERS_TOPIC,
            group: 'dojos-reminders',
            handler: async (message) => {
              const { dojoId } = (message.value ?? {}) as { dojoId?: unknown };
              if (typeof dojoId === 'string') await notices.remind(dojoId);
            },
          },
        ],
        rooms: [{ name: DOJO_ROOM, room, filterBy: ['dojoId'], joinErrors: JOIN_ERROR_KINDS }],
        close: async () => {
          await Promise.allSettled([snapshots.close(), chat.close()]);
          await live.close();
        },
      };
    },
  };
}
