/**
 * The embedded store's writer: a worker thread with its own connection to the file, so a commit's fsync
 * (and WAL checkpoints) never stall the event loop of the server. Units of work queued while one group is
 * being committed go into the next group: one `BEGIN IMMEDIATE … COMMIT` (one fsync) for all of them,
 * each unit inside a savepoint, so a unit that fails or is refused changes nothing and leaves the others
 * alone. A unit's answer is posted only after its group committed: acknowledged means on disk.
 */
import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { type WriteReply, type WriteRequest, type WriteUnit, type WriterData, holds } from './write-unit.ts';

const port = parentPort;
if (!port) throw new Error('writer.ts runs as a worker thread');
const data = workerData as WriterData;

const db = new DatabaseSync(data.file, { timeout: data.busyTimeoutMs });
db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');

const statements = new Map<string, StatementSync>();
function statement(sql: string): StatementSync {
  let prepared = statements.get(sql);
  if (!prepared) {
    prepared = db.prepare(sql);
    prepared.setReturnArrays(true);
    statements.set(sql, prepared);
  }
  return prepared;
}

/** Runs a unit's steps; a refusal (a condition that does not hold) stops it before anything is written. */
function apply(unit: WriteUnit): WriteReply['result'] {
  for (const step of unit.steps) {
    if ('check' in step) {
      const { sql, params } = step.check;
      const current = statement(sql).get(...params) as unknown as SQLOutputValue[] | undefined;
      if (!holds(step.check, current)) return current ? { applied: false, current } : { applied: false };
    } else {
      statement(step.sql).run(...(step.params as SQLInputValue[]));
    }
  }
  return { applied: true };
}

const errorOf = (error: unknown): WriteReply['error'] => ({
  message: error instanceof Error ? error.message : String(error),
  ...(typeof (error as { errcode?: unknown } | null)?.errcode === 'number'
    ? { errcode: (error as { errcode: number }).errcode }
    : {}),
});

let queue: WriteRequest[] = [];
let scheduled = false;
let closing = false;

function commitGroup(): void {
  scheduled = false;
  const group = queue;
  queue = [];
  const replies: WriteReply[] = [];
  try {
    db.exec('BEGIN IMMEDIATE');
    for (const request of group) {
      db.exec('SAVEPOINT unit');
      try {
        replies.push({ id: request.id, result: apply(request.unit) });
        db.exec('RELEASE unit');
      } catch (error) {
        db.exec('ROLLBACK TO unit');
        db.exec('RELEASE unit');
        replies.push({ id: request.id, error: errorOf(error) });
      }
    }
    db.exec('COMMIT');
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    const failed = errorOf(error);
    replies.length = 0;
    for (const request of group) replies.push({ id: request.id, error: failed });
  }
  port?.postMessage(replies);
  if (closing && queue.length === 0) finish();
}

function finish(): void {
  statements.clear();
  db.close();
  port?.close();
}

port.on('message', (message: WriteRequest | 'close') => {
  if (message === 'close') {
    closing = true;
    if (!scheduled) finish();
    return;
  }
  queue.push(message);
  if (!scheduled) {
    scheduled = true;
    // After the messages already delivered: they all join this group.
    setImmediate(commitGroup);
  }
});
