import { randomUUID } from 'node:crypto';
import type { ScheduledTask, Scheduler } from '../../capabilities.ts';
import { AppError, unavailable } from '../../lib/errors.ts';
import { inTime, placementBucket } from './buckets.ts';
import type { SchedulerMetrics } from './metrics.ts';
import type { IndexRow, SchedulerRepo, TaskRow } from './repo.ts';

const TOPIC = /^[A-Za-z0-9._-]{1,200}$/;
const MAX_ID_LENGTH = 200;
const MAX_PAYLOAD_BYTES = 64 * 1024;
/** Lost compare-and-set rounds against concurrent schedules of the same id before giving up. */
const CAS_ROUNDS = 10;
/** Index writes that may each take longer than SETTLE_MS / 2 before the call fails. */
const PLACE_ROUNDS = 3;

const misuse = (message: string) => new AppError('SCHEDULER.INVALID_TASK', message, { kind: 'INTERNAL' });

/** A caller's mistake is an INTERNAL error (a module's bug), thrown before anything is written. */
function checked(task: ScheduledTask): { runAt: number; payload: Record<string, unknown> } {
  if (typeof task.id !== 'string' || task.id.length === 0 || task.id.length > MAX_ID_LENGTH) {
    throw misuse(`a task id is 1 to ${MAX_ID_LENGTH} characters`);
  }
  if (typeof task.topic !== 'string' || !TOPIC.test(task.topic)) {
    throw misuse(`task ${task.id}: invalid topic ${String(task.topic)}`);
  }
  const runAt = task.runAt instanceof Date ? task.runAt.getTime() : NaN;
  if (!Number.isFinite(runAt)) throw misuse(`task ${task.id}: runAt is not a valid Date`);
  const payload = task.payload;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw misuse(`task ${task.id}: the payload is an object`);
  }
  let json: string;
  try {
    json = JSON.stringify(payload);
  } catch (error) {
    throw new AppError('SCHEDULER.INVALID_TASK', `task ${task.id}: the payload is not JSON`, {
      kind: 'INTERNAL',
      cause: error,
    });
  }
  if (Buffer.byteLength(json) > MAX_PAYLOAD_BYTES) {
    throw misuse(`task ${task.id}: the payload is over ${MAX_PAYLOAD_BYTES} bytes of JSON`);
  }
  // What the store will give back: the consumer sees the same JSON whichever node publishes.
  return { runAt, payload: JSON.parse(json) as Record<string, unknown> };
}

/**
 * Writes an index entry for a version, in the bucket its due time calls for at the moment it is chosen,
 * and writes it again (fresh bucket) while a write finishes too late for the cursor's settle time.
 */
export async function placeIndex(
  repo: SchedulerRepo,
  now: () => number,
  entry: Omit<IndexRow, 'bucket'>,
  chosenAt = now(),
): Promise<number> {
  let started = chosenAt;
  for (let round = 1; ; round++) {
    const bucket = placementBucket(entry.runAt, started);
    await repo.putIndex({ ...entry, bucket });
    if (inTime(started, now())) return bucket;
    if (round >= PLACE_ROUNDS) throw unavailable('SCHEDULER.SLOW_STORE', 'index writes keep taking too long');
    started = now();
  }
}

/**
 * The `scheduler` capability. `schedule` writes a new version of the task's row by id (a lightweight
 * transaction over whatever version was there, so concurrent calls serialize), then its index entry,
 * then drops the previous version's entry; `cancel` deletes the row by id (again conditionally) and its
 * entry. A poller that finds an entry of a version that is no longer the row's drops it.
 */
export function createScheduler(deps: {
  readonly repo: SchedulerRepo;
  readonly now: () => number;
  readonly metrics: SchedulerMetrics;
}): Scheduler {
  const { repo, now, metrics } = deps;
  return {
    schedule: async (task) => {
      const { runAt, payload } = checked(task);
      const chosenAt = now();
      const row: TaskRow = {
        taskId: task.id,
        version: randomUUID(),
        topic: task.topic,
        payload,
        runAt,
        bucket: placementBucket(runAt, chosenAt),
        state: 'S',
        claim: '',
        claimedAt: 0,
        attempts: 0,
      };
      let previous: TaskRow | undefined;
      for (let round = 1; ; round++) {
        previous = await repo.task(task.id);
        if (await repo.putTask(row, previous?.version)) break;
        if (round >= CAS_ROUNDS) {
          throw unavailable('SCHEDULER.CONTENDED', `task ${task.id} is being scheduled concurrently`);
        }
      }
      await placeIndex(repo, now, row, chosenAt);
      if (previous) await repo.dropIndex(previous);
      metrics.counted(previous ? 'moved' : 'scheduled');
    },
    cancel: async (id) => {
      for (let round = 1; round <= CAS_ROUNDS; round++) {
        const current = await repo.task(id);
        if (!current) return;
        if (await repo.deleteTask(id, current.version)) {
          await repo.dropIndex(current);
          metrics.counted('cancelled');
          return;
        }
      }
      throw unavailable('SCHEDULER.CONTENDED', `task ${id} is being scheduled concurrently`);
    },
  };
}
