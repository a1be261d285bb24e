/**
 * Analytics in-process on PGlite (PostgreSQL compiled to WebAssembly), persisted under
 * `<dataDir>/analytics`, or in memory when dataDir is `memory://`. One node only: PGlite is a single
 * connection in this process. Two instances on one directory would corrupt it, and PGlite does not check
 * (it leaves postmaster.pid behind and ignores it), so `<dataDir>/analytics.lock` does.
 *
 * PGlite already serializes its callers: `query`, `exec` and `transaction` all take one mutex, which a
 * transaction holds from BEGIN to COMMIT, so another caller's statement never lands inside it (the price:
 * calling the adapter itself from inside fn would wait forever, which TransactionScope refuses instead).
 */
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../lib/log.ts';
import type { Analytics, AnalyticsMigration, SqlRunner } from '../../ports/analytics.ts';
import {
  applyMigrations,
  closedError,
  keepText,
  OID,
  parseInt8,
  parseNumeric,
  scopedRunner,
  TransactionScope,
} from '../analytics-shared/index.ts';

export interface PgliteAnalyticsOptions {
  /** config.dataDir, or `memory://` for a database that lives as long as the adapter. */
  readonly dataDir: string;
  readonly logger: Logger;
  readonly name?: string;
}

export const MEMORY = 'memory://';

// Arrays of these types follow: PGlite parses an array's elements with the parser of the element type.
const parsers = { [OID.int8]: parseInt8, [OID.numeric]: parseNumeric, [OID.date]: keepText };

export class PgliteAnalytics implements Analytics {
  readonly name: string;
  readonly #db: PGlite;
  readonly #logger: Logger;
  readonly #scope = new TransactionScope();
  readonly #unlock: () => void;
  #closing: Promise<void> | undefined;

  constructor(db: PGlite, logger: Logger, unlock: () => void, name = 'analytics-pglite') {
    this.#db = db;
    this.#logger = logger;
    this.#unlock = unlock;
    this.name = name;
  }

  async query<R extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<R[]> {
    this.#open();
    return (await this.#db.query<R>(sql, params ? [...params] : undefined)).rows;
  }

  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.#transaction((tx) => {
      const { runner, end } = scopedRunner(
        async (sql, params) => (await tx.query<never>(sql, params ? [...params] : undefined)).rows,
      );
      return this.#scope.run(() => fn(runner)).finally(end);
    });
  }

  migrate(migrations: readonly AnalyticsMigration[]): Promise<void> {
    return applyMigrations(
      migrations,
      (fn) =>
        this.#transaction((tx) =>
          fn({
            query: async (sql, params) => (await tx.query<never>(sql, params ? [...params] : undefined)).rows,
            exec: async (sql) => {
              await tx.exec(sql);
            },
          }),
        ),
      this.#logger,
    );
  }

  async health(): Promise<void> {
    await this.query('SELECT 1');
  }

  close(): Promise<void> {
    this.#closing ??= this.#db
      .close()
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'analytics PGlite did not close cleanly'))
      .finally(this.#unlock);
    return this.#closing;
  }

  #open(): void {
    this.#scope.refuseInside();
    if (this.#closing || this.#db.closed) throw closedError();
  }

  async #transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    this.#open();
    return this.#db.transaction(fn);
  }
}

/** Opens (on first use: creates, which takes a few seconds) the database and answers once it is ready. */
export async function createPgliteAnalytics(options: PgliteAnalyticsOptions): Promise<PgliteAnalytics> {
  if (options.dataDir === MEMORY) {
    return new PgliteAnalytics(
      await PGlite.create(MEMORY, { parsers }),
      options.logger,
      () => undefined,
      options.name,
    );
  }
  const dataDir = path.join(options.dataDir, 'analytics');
  mkdirSync(dataDir, { recursive: true });
  const unlock = lock(`${dataDir}.lock`);
  try {
    return new PgliteAnalytics(
      await PGlite.create(dataDir, { parsers }),
      options.logger,
      unlock,
      options.name,
    );
  } catch (error) {
    unlock();
    throw error;
  }
}

/** Lock files this process holds: its own pid in a file does not tell two of its adapters apart. */
const held = new Set<string>();

/** Takes the lock file, or throws while another live process (or adapter of this one) holds it. */
function lock(file: string): () => void {
  if (held.has(file)) throw new Error(`${file}: this process has the analytics database open already`);
  if (!created(file)) {
    const pid = Number(readFileSync(file, 'utf8'));
    if (pid !== process.pid && alive(pid)) {
      throw new Error(
        `${file}: process ${pid} has the analytics database open (delete the file if it is not)`,
      );
    }
    // Left by a process that died without closing (SIGKILL, a crash): PGlite recovers from its WAL.
    writeFileSync(file, String(process.pid));
  }
  held.add(file);
  return () => {
    held.delete(file);
    rmSync(file, { force: true });
  };
}

/** Creates the file holding this process's pid; false when it exists already. */
function created(file: string): boolean {
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
