import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloseCode, ErrorCode, matchMaker, Room, ServerError, type Client } from '@colyseus/core';
import { JOIN_ERRORS, joinOptions, LIMITS } from '../../../../protocol/dojo.ts';
import { ChatEntry, DojoState, Participant } from '../../../../protocol/dojo-state.ts';
import { holderKey } from '../../../ports/lease.ts';
import type { CommandOutcome, LiveRoom, RoomCommand } from '../live.ts';
import type { Dojo } from '../repo.ts';
import { Attendance } from './attendance.ts';
import { authorizeJoin } from './auth.ts';
import type { DojoRoomContext } from './context.ts';
import { Dispatcher } from './dispatch.ts';
import { RoomMedia } from './media.ts';
import { RoomRecorder } from './recorder.ts';
import type { RoomApi, Seat } from './handlers.ts';
import * as rotation from './rotation.ts';
import { parseSnapshot, toSnapshot, type Snapshot, type Snapshotted } from './snapshot.ts';

/**
 * Builds the `dojo` room class of one system: the class closes over that system's context (store, lease,
 * token verification) instead of reading module-level state. One room per dojo, guaranteed by the dojo's
 * lease (see server/modules/dojos/lease.ts); its state is snapshotted to the store so any node can carry
 * on after this one dies.
 */
export function createDojoRoom(ctx: DojoRoomContext) {
  const o = ctx.options;
  const log = ctx.logger.child({ room: 'dojo' });

  return class DojoRoom extends Room<{ state: DojoState }> {
    override state = new DojoState();
    override maxClients = o.maxClients;
    override maxMessagesPerSecond = o.maxFramesPerSecond;
    override patchRate = o.patchRateMs;
    #dojo: Dojo | undefined;
    #rotation = rotation.emptyRotation(o.defaultTurnSeconds);
    #live: LiveRoom | undefined;
    #owned = false;
    #earlyPatchAt = 0;
    #dispatcher: Dispatcher | undefined;
    #snapshot: Snapshotted | undefined;
    /** userId → sessionIds with a connection or a seat kept for reconnection. */
    readonly #connections = new Map<string, Set<string>>();
    #media: RoomMedia | undefined;
    #recorder: RoomRecorder | undefined;
    /** Room commands run one at a time (starting a recording awaits the store). */
    #commands: Promise<unknown> = Promise.resolve();
    readonly #attendance = new Attendance({
      emit: (events) => ctx.events()?.emit(events),
      save: (p) => ctx.repo.saveParticipation(p),
      logger: log,
    });

    static override async onAuth(token: string, options: unknown): Promise<Seat> {
      return authorizeJoin(ctx, token, options);
    }

    override async onCreate(options: unknown): Promise<void> {
      const parsed = joinOptions.safeParse(options);
      const dojo = parsed.success ? await ctx.repo.dojo(parsed.data.dojoId) : undefined;
      if (!dojo)
        throw new ServerError(
          ErrorCode.MATCHMAKE_INVALID_CRITERIA,
          `${JOIN_ERRORS.NOT_FOUND}: No such dojo.`,
        );
      this.#dojo = dojo;
      this.#media = new RoomMedia({
        sfu: ctx.sfu,
        roomId: dojo.dojoId,
        state: this.state,
        send: (sessionId, type, payload) => this.clients.getById(sessionId)?.send(type, payload),
        logger: log,
      });
      this.#media.open()?.catch((error: unknown) => log.warn({ err: error }, 'media router not opened'));
      this.#recorder = new RoomRecorder({
        recordings: ctx.recordings,
        media: this.#media,
        spoolDir: ctx.spoolDir,
        segmentSeconds: o.segmentSeconds,
        logger: log,
      });
      await Promise.all([ctx.live.start(), ctx.live.announce()]);
      const holder = holderKey(matchMaker.processId, randomUUID());
      await this.#claim(dojo.dojoId, holder);
      this.#live = { holder, handle: (command) => this.#command(command) };
      ctx.live.register(dojo.dojoId, this.#live);
      try {
        await this.#restore(dojo);
        await ctx.repo.markOpened(dojo, new Date());
        this.#attendance.opened(dojo, Date.now());
      } catch (error) {
        await this.#abandon();
        throw error;
      }
      this.#dispatcher = new Dispatcher({ api: this.#api, rateLimit: o.rateLimit, logger: log });
      this.#dispatcher.attach(this);
      this.clock.setInterval(() => this.#apply(rotation.tick(this.#rotation, Date.now())), o.tickMs);
      this.clock.setInterval(() => void this.#renewLease(), o.leaseCheckMs);
    }

    /**
     * Takes the dojo's lease; one left by a dead process (or by a room of ours that is gone) is taken over.
     * A live holder may be a room closing right now (its last snapshot going out): wait a moment for it.
     */
    async #claim(dojoId: string, holder: string): Promise<void> {
      const leases = ctx.live.leases;
      const deadline = Date.now() + o.claimWaitMs;
      for (;;) {
        let claim = await leases.claim(dojoId, holder);
        if (!claim.acquired && claim.holder && !(await ctx.live.holderAlive(claim.holder))) {
          claim = await leases.claim(dojoId, holder, claim.holder);
        }
        if (claim.acquired) break;
        if (Date.now() >= deadline) {
          const busy = `${JOIN_ERRORS.ROOM_BUSY}: The dojo's room is open on another node; join again.`;
          throw new ServerError(ErrorCode.MATCHMAKE_UNHANDLED, busy);
        }
        await sleep(100);
      }
      this.#owned = true;
    }

    async #restore(dojo: Dojo): Promise<void> {
      const [stored, chat] = await Promise.all([
        ctx.repo.snapshot(dojo.dojoId),
        ctx.repo.messages(dojo.dojoId, { limit: LIMITS.chatKept }),
      ]);
      const snapshot = parseSnapshot(stored);
      const s = this.state;
      s.dojoId = dojo.dojoId;
      s.subject = dojo.subject;
      s.status = 'LIVE';
      s.hostId = snapshot?.hostId || dojo.hostId;
      s.code = snapshot?.code ?? '';
      s.language = snapshot?.language ?? '';
      s.recording = snapshot?.recording ?? false;
      for (const m of chat) {
        s.chat.push(
          new ChatEntry().assign({
            id: m.messageId,
            userId: m.userId,
            text: m.text,
            created: m.created.toISOString(),
          }),
        );
      }
      for (const p of snapshot?.participants ?? []) {
        s.participants.set(
          p.userId,
          new Participant().assign({ userId: p.userId, name: p.name, connected: false }),
        );
      }
      this.#snapshot = { key: dojo.dojoId, capture: () => this.#capture() };
      if (!snapshot) {
        // A room with nothing to restore is the dojo's first session: its members hear it is live.
        void ctx.notices.started(dojo);
        return this.#apply(this.#rotation);
      }
      // Everyone who was rotating keeps their place for one reconnection window to come back here.
      this.#apply(snapshot.rotation);
      const active = snapshot.activeRecording;
      if (s.recording && active) {
        const ref = { recordingId: active.recordingId, dojoId: dojo.dojoId, tenantId: active.tenantId };
        const resumed = await this.#recorder?.start(dojo, this.#firstEvents(), {
          ref,
          startedAt: active.startedAt,
        });
        s.recording = resumed !== undefined;
      }
      this.clock.setTimeout(() => {
        let next = this.#rotation;
        for (const id of rotation.rotating(next))
          if (!this.#present(id)) next = rotation.leave(next, id, Date.now());
        this.#apply(next);
      }, o.reconnectSeconds * 1000);
    }

    /** What the snapshot scheduler saves; nothing once this room no longer owns the dojo. */
    #capture(): Snapshot | undefined {
      if (!this.#owned) return undefined;
      const s = this.state;
      return toSnapshot({
        hostId: s.hostId,
        code: s.code,
        language: s.language,
        recording: s.recording,
        rotation: this.#rotation,
        participants: [...s.participants.values()],
        ...(this.#recorder?.active
          ? {
              activeRecording: {
                recordingId: this.#recorder.active.ref.recordingId,
                tenantId: this.#recorder.active.ref.tenantId,
                startedAt: this.#recorder.active.startedAt,
              },
            }
          : {}),
      });
    }

    /** What a timeline starts with: who pilots, and the code as it stands. */
    #firstEvents() {
      const s = this.state;
      return [
        { type: 'rotate' as const, pilotId: s.pilotId, copilotId: s.copilotId },
        { type: 'code' as const, text: s.code, ...(s.language ? { language: s.language } : {}) },
      ];
    }

    #changed(): void {
      if (this.#snapshot) ctx.snapshots.changed(this.#snapshot);
    }

    /** Copies a rotation into the state (ids, timer, everyone's role) and schedules a snapshot. */
    #apply(next: rotation.Rotation): void {
      const changed = next !== this.#rotation;
      this.#rotation = next;
      const s = this.state;
      if (s.pilotId !== next.pilotId || s.copilotId !== next.copilotId) {
        this.#recorder?.event({ type: 'rotate', pilotId: next.pilotId, copilotId: next.copilotId });
      }
      if (s.pilotId !== next.pilotId) s.pilotId = next.pilotId;
      if (s.copilotId !== next.copilotId) s.copilotId = next.copilotId;
      if (s.turnSeconds !== next.turnSeconds) s.turnSeconds = next.turnSeconds;
      if (s.turnEndsAt !== next.turnEndsAt) s.turnEndsAt = next.turnEndsAt;
      for (const p of s.participants.values()) {
        const role = rotation.roleOf(next, p.userId, s.hostId);
        if (p.role !== role) p.role = role;
      }
      if (changed) this.#changed();
    }

    #present(userId: string): boolean {
      return (this.#connections.get(userId)?.size ?? 0) > 0;
    }

    readonly #api: RoomApi = {
      state: this.state,
      postChat: async (userId, text) => {
        const dojo = this.#dojo;
        if (!dojo) return;
        const created = new Date();
        const messageId = randomUUID();
        await ctx.chat.add({
          messageId,
          dojoId: dojo.dojoId,
          tenantId: dojo.tenantId,
          userId,
          text,
          created,
        });
        this.#recorder?.event({ type: 'chat', userId, text });
        const chat = this.state.chat;
        chat.push(new ChatEntry().assign({ id: messageId, userId, text, created: created.toISOString() }));
        while (chat.length > LIMITS.chatKept) chat.shift();
      },
      setCode: (text, language) => {
        this.state.code = text;
        this.#recorder?.event({ type: 'code', text, ...(language ? { language } : {}) });
        if (language !== undefined && this.state.language !== language) this.state.language = language;
        this.#changed();
        // An edit goes out now rather than at the next patch tick (up to patchRate later), at most one
        // early patch per tick so a flood of keystrokes still costs one patch per tick.
        const now = Date.now();
        if (now - this.#earlyPatchAt >= o.patchRateMs) {
          this.#earlyPatchAt = now;
          this.broadcastPatch();
        }
      },
      rotate: () => this.#apply(rotation.advance(this.#rotation, Date.now())),
      setTurnSeconds: (seconds) => this.#apply(rotation.setTurnSeconds(this.#rotation, seconds, Date.now())),
      setHost: (userId) => {
        this.state.hostId = userId;
        this.#apply({ ...this.#rotation });
      },
      isPresent: (userId) => this.#present(userId),
      leave: (sessionId) => this.clients.getById(sessionId)?.leave(CloseCode.CONSENTED),
      media: {
        join: (userId, sessionId) => this.#roomMedia().join(userId, sessionId),
        answer: (userId, sessionId, sdp) => this.#roomMedia().answer(userId, sessionId, sdp),
        ice: (userId, sessionId, candidate) => this.#roomMedia().ice(userId, sessionId, candidate),
        mute: (userId, sessionId, kind, muted) => this.#roomMedia().mute(userId, sessionId, kind, muted),
        leave: (userId, sessionId) => this.#media?.leave(userId, sessionId),
      },
    };

    /** Set in onCreate before the dispatcher is attached, so every media message finds it. */
    #roomMedia(): RoomMedia {
      if (!this.#media) throw new Error('room media used before the room was created');
      return this.#media;
    }

    #command(command: RoomCommand): Promise<CommandOutcome> {
      const run = this.#commands.then(() => this.#run(command));
      this.#commands = run.catch(() => undefined);
      return run;
    }

    async #run(command: RoomCommand): Promise<CommandOutcome> {
      if (command.op === 'recording') {
        if (command.userId !== this.state.hostId) return { ok: false, code: 'NOT_HOST' };
        return this.#record(command.on);
      }
      const removed = new Set(command.messageIds);
      const chat = this.state.chat;
      for (let i = chat.length - 1; i >= 0; i--) if (removed.has(chat[i]?.id ?? '')) chat.splice(i, 1);
      return { ok: true };
    }

    /** Starts or stops recording; answers the recording's id (null when no recordings module runs). */
    async #record(on: boolean): Promise<CommandOutcome> {
      const dojo = this.#dojo;
      const recorder = this.#recorder;
      if (!dojo || !recorder) return { ok: true, recordingId: null };
      if (on) {
        const active = await recorder.start(dojo, this.#firstEvents());
        this.#setRecording(true);
        return { ok: true, recordingId: active?.ref.recordingId ?? null };
      }
      const ref = recorder.active?.ref;
      this.#setRecording(false);
      if (ref) await recorder.stop(await ctx.repo.memberIds(dojo.dojoId));
      return { ok: true, recordingId: ref?.recordingId ?? null };
    }

    #setRecording(on: boolean): void {
      if (this.state.recording === on) return;
      this.state.recording = on;
      this.#changed();
    }

    override onJoin(client: Client): void {
      const seat = client.auth as Seat;
      // joinById can aim at another dojo's room with this dojo's options: the seat must be for this room.
      if (seat.dojoId !== this.state.dojoId) {
        throw new ServerError(ErrorCode.AUTH_FAILED, `${JOIN_ERRORS.NOT_FOUND}: No such dojo.`);
      }
      let sessions = this.#connections.get(seat.userId);
      if (!sessions) this.#connections.set(seat.userId, (sessions = new Set()));
      sessions.add(client.sessionId);
      const existing = this.state.participants.get(seat.userId);
      const participant = existing ?? new Participant().assign({ userId: seat.userId });
      participant.name = seat.name;
      participant.connected = true;
      if (!existing) this.state.participants.set(seat.userId, participant);
      if (this.#dojo) this.#attendance.joined(this.#dojo, seat.userId, Date.now());
      this.#apply(rotation.join(this.#rotation, seat.userId, Date.now()));
      this.#changed();
    }

    override onDrop(client: Client): void {
      // The seat (and the place in the rotation) is kept; onLeave follows if nobody comes back in time.
      // A client whose join failed half-way ("not joined") has no seat to keep: nothing to wait for.
      this.allowReconnection(client, o.reconnectSeconds).catch(() => undefined);
    }

    override onLeave(client: Client): void {
      const seat = client.auth as Seat | undefined;
      this.#dispatcher?.forget(client.sessionId);
      if (!seat) return;
      this.#media?.leave(seat.userId, client.sessionId);
      const sessions = this.#connections.get(seat.userId);
      // A connection refused in onJoin was never counted: it must not unseat the user's other ones.
      if (!sessions?.delete(client.sessionId) || sessions.size > 0) return;
      this.#connections.delete(seat.userId);
      const participant = this.state.participants.get(seat.userId);
      if (participant) participant.connected = false;
      if (this.#dojo) this.#attendance.left(this.#dojo, seat.userId, Date.now());
      this.#apply(rotation.leave(this.#rotation, seat.userId, Date.now()));
      this.#changed();
    }

    /** Renews the lease; a room that lost it (another node took the dojo over) stops, without writing. */
    async #renewLease(): Promise<void> {
      const dojoId = this.state.dojoId;
      if (!this.#owned || !this.#live) return;
      try {
        const claim = await ctx.live.leases.claim(dojoId, this.#live.holder);
        if (claim.acquired) return;
        log.warn(
          { dojoId, holder: claim.holder },
          'lease lost: another room owns this dojo; closing this one',
        );
        this.#owned = false;
        await this.disconnect(CloseCode.MAY_TRY_RECONNECT);
      } catch (error) {
        log.warn({ err: error, dojoId }, 'lease not renewed');
      }
    }

    async #abandon(): Promise<void> {
      const owned = this.#owned;
      this.#owned = false;
      if (this.#live) ctx.live.unregister(this.state.dojoId || (this.#dojo?.dojoId ?? ''), this.#live);
      if (owned && this.#live && this.#dojo) {
        await ctx.live.leases.release(this.#dojo.dojoId, this.#live.holder).catch((error: unknown) => {
          log.warn({ err: error, dojoId: this.#dojo?.dojoId }, 'lease not released');
        });
      }
    }

    override async onDispose(): Promise<void> {
      // Everyone has left: a recording still on ends here (and is composed); a room that lost its lease
      // leaves it to the room that took over.
      if (this.#owned && this.#dojo && this.#recorder?.active) {
        await this.#record(false).catch((error: unknown) => {
          log.warn({ err: error, dojoId: this.#dojo?.dojoId }, 'recording not finished on close');
        });
      }
      if (!this.#owned) await this.#recorder?.detach();
      await this.#media?.close().catch(() => undefined);
      if (this.#owned && this.#dojo) {
        const at = Date.now();
        await ctx.repo.markClosed(this.#dojo.dojoId, new Date(at)).catch((error: unknown) => {
          log.warn({ err: error, dojoId: this.#dojo?.dojoId }, 'closing time not saved');
        });
        this.#attendance.closed(this.#dojo, at);
      }
      if (this.#owned && this.#snapshot) await ctx.snapshots.flush(this.#snapshot);
      await this.#abandon();
    }

    override onUncaughtException(error: Error, method: string): void {
      log.error({ err: error, method, dojoId: this.state.dojoId }, 'dojo room error');
    }
  };
}
