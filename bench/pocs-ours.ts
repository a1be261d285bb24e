/**
 * Our system for the realistic POC mix, run by the bench as a child process: started as a deployment's api
 * node runs it (production config, an access line per request, search pages cached, the events module
 * recording a POC fact with every write), then seeded through the API as clients would: `users` accounts
 * signed up (cheap hashing and no sign-up throttle, so 100 sign-ups from one address take seconds) over
 * `tenants` workspaces (the first user of each signs up alone and invites the others), each registering its
 * POCs from the seeded generator (`pocBody`), a few writes in flight. The users' tokens and POC ids go to
 * `usersFile`. Embedded store by default; `real` runs on Cassandra + Redis + Kafka (a keyspace, key prefix
 * and topic prefix of its own, dropped on stop).
 *
 * With `profile`, SIGUSR2 starts the V8 CPU profiler and the next SIGUSR2 writes `<profile>` (a .cpuprofile).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createLogger } from '../server/lib/log.ts';
import { createAccountsModule } from '../server/modules/accounts/index.ts';
import { createEventsModule } from '../server/modules/events/index.ts';
import { createPocsModule } from '../server/modules/pocs/index.ts';
import { startSystem } from '../server/system.ts';
import { signUpAndLogin } from '../test/support/accounts.ts';
import { inFlight, pocBody, type MixOptions, type MixUser } from './pocs-mix.ts';
import { benchPocsConfig, cleanupBench } from './pocs-system.ts';
import { ready } from './processes.ts';

export interface OursOptions extends MixOptions {
  readonly usersFile: string;
  readonly real: boolean;
  readonly profile?: string;
  /** POC_SEARCH_THREADS for our server; the configuration's default when absent. */
  readonly searchThreads?: number;
}

export interface OursInfo {
  readonly url: string;
  readonly store: string;
  readonly cache: string;
  readonly signUpSeconds: number;
  readonly seedSeconds: number;
}

function profileOnSignal(file: string): void {
  let session: Session | undefined;
  process.on('SIGUSR2', () => {
    void (async () => {
      if (!session) {
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 500 });
        await session.post('Profiler.start');
        return;
      }
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      process.stderr.write(`PROFILED ${file}\n`);
    })();
  });
}

async function main(o: OursOptions): Promise<void> {
  if (o.profile) profileOnSignal(o.profile);
  // Sign-up mail lands in the data dir's outbox: a real SMTP sink's directory need not be searched.
  delete process.env.SMTP_SINK_DIR;
  const bench = benchPocsConfig(o.real, 'mix', {
    kafka: true,
    ...(o.searchThreads === undefined ? {} : { searchThreads: o.searchThreads }),
  });
  const { config, dataDir, run } = bench;
  const accounts = createAccountsModule({
    hashing: { N: 2 ** 10, r: 8, p: 1, keyLength: 32 },
    throttleSignUpPerAddress: { limit: 1_000_000, windowSeconds: 3600 },
  });
  const system = await startSystem({
    config,
    logger: createLogger({ level: config.logLevel }),
    modules: [accounts, createEventsModule(), createPocsModule()],
    version: 'bench',
  });
  const cleanup = async () => {
    await system.stop();
    await cleanupBench(bench);
  };
  try {
    let started = performance.now();
    const tokens: string[] = [];
    const password = `pw-${run}-bench-mix`;
    const login = async (u: number) => {
      const res = await fetch(`${system.url}/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `m${run}u${u}`, password }),
      });
      const body = (await res.json()) as { token?: string };
      if (res.status !== 200 || !body.token) throw new Error(`login ${u}: ${res.status}`);
      tokens[u] = body.token;
    };
    const tenants = Math.max(1, Math.min(o.tenants, o.users));
    const signUp = async (u: number) => {
      const owner = u < tenants ? undefined : tokens[u % tenants];
      tokens[u] = (
        await signUpAndLogin(
          { url: system.url, dataDir },
          { username: `m${run}u${u}`, password, ...(owner ? { invitedBy: owner } : {}) },
        )
      ).token;
    };
    // The tenants' owners first: every other user is invited by one of them.
    await inFlight(tenants, 4, signUp);
    await inFlight(o.users - tenants, 4, (k) => signUp(tenants + k));
    const signUpSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const ids: string[][] = tokens.map(() => []);
    // POC i of every user before POC i + 1 of any: each user's POCs are registered in generator order.
    await inFlight(o.users * o.pocsPerUser, o.real ? 32 : 4, async (n) => {
      const [u, i] = [n % o.users, Math.floor(n / o.users)];
      const res = await fetch(`${system.url}/v1/pocs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[u]}`, 'content-type': 'application/json' },
        body: JSON.stringify(pocBody(o.seed, u, i)),
      });
      const body = (await res.json()) as { id?: string };
      if (res.status !== 201 || !body.id)
        throw new Error(`seeding ${u}/${i}: ${res.status} ${JSON.stringify(body)}`);
      (ids[u] as string[])[i] = body.id;
    });
    // Access tokens live 15 minutes: the load gets fresh ones, however long the seeding took.
    await inFlight(o.users, 4, login);
    const users: MixUser[] = tokens.map((token, u) => ({ token, ids: ids[u] as string[] }));
    writeFileSync(o.usersFile, JSON.stringify({ users }));
    const info: OursInfo = {
      url: system.url,
      store: system.adapters.store.name,
      cache: system.adapters.cache.name,
      signUpSeconds,
      seedSeconds: (performance.now() - started) / 1000,
    };
    ready(info, cleanup);
  } catch (error) {
    await cleanup();
    throw error;
  }
}

if (import.meta.main) {
  await main(JSON.parse(process.argv[2] ?? '{}') as OursOptions);
}
