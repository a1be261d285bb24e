/**
 * server/main.ts's boot for the dojo suites, as a separate process: the same modules, with cheap password
 * hashing and no sign-up throttle to speak of (sign-ups are not what these suites test) and the room windows the suites shorten through
 * DOJO_TEST_* variables.
 */
import { loadConfig } from '../../config/index.ts';
import { createLogger } from '../../server/lib/log.ts';
import type { DojoModule } from '../../server/modules.ts';
import { MODULES } from '../../server/modules-list.ts';
import { createAccountsModule } from '../../server/modules/accounts/index.ts';
import { createDojosModule } from '../../server/modules/dojos/index.ts';
import { createRecordingsModule } from '../../server/modules/recordings/index.ts';
import { startSystem } from '../../server/system.ts';

const env = process.env;
const number = (name: string): number | undefined => (env[name] ? Number(env[name]) : undefined);
const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const replacements: Record<string, DojoModule> = {
  accounts: createAccountsModule({
    hashing: { N: 2 ** 10, r: 8, p: 1, keyLength: 32 },
    // The suites sign many people up from one address, and in CI the throttle's counter is in the shared Redis.
    throttleSignUpPerAddress: { limit: 10_000, windowSeconds: 3600 },
    ...defined({ accessTokenTtlSeconds: number('DOJO_TEST_TOKEN_TTL_SECONDS') }),
    ...(env.DOJO_TEST_TOKEN_TTL_SECONDS ? { clockToleranceSeconds: 0 } : {}),
  }),
  dojos: createDojosModule({
    room: defined({
      reconnectSeconds: number('DOJO_TEST_RECONNECT_SECONDS'),
      defaultTurnSeconds: number('DOJO_TEST_TURN_SECONDS'),
      snapshotIntervalMs: number('DOJO_TEST_SNAPSHOT_MS'),
      segmentSeconds: number('DOJO_TEST_SEGMENT_SECONDS'),
    }),
  }),
};
replacements.recordings = createRecordingsModule(
  defined({
    orphanMs: number('DOJO_TEST_ORPHAN_MS'),
    size: env.DOJO_TEST_SMALL_VIDEO ? { width: 640, height: 360 } : undefined,
  }),
);
const modules = MODULES.map((m) => replacements[m.name] ?? m);

const config = loadConfig(env);
const logger = createLogger({ level: config.logLevel });
const system = await startSystem({ config, logger, modules, version: 'test' });
process.on('SIGTERM', () => void system.stop().then(() => process.exit(0)));
