/**
 * server/main.ts's boot for the push suites and the notifications benchmark, as a separate process: the
 * same modules plus the push trigger (test/push/trigger-module.ts), cheap password hashing, the sign-up
 * limit per address raised by DOJO_TEST_SIGNUP_LIMIT (a benchmark signs many users up from one address),
 * and the push backplane on Redis when REDIS_URL is set.
 */
import { loadProcessConfig } from '../../config/index.ts';
import { createLogger } from '../../server/lib/log.ts';
import type { DojoModule } from '../../server/modules.ts';
import { MODULES } from '../../server/modules-list.ts';
import { createAccountsModule } from '../../server/modules/accounts/index.ts';
import { startSystem } from '../../server/system.ts';
import { pushTriggerModule } from './trigger-module.ts';

const signUps = Number(process.env.DOJO_TEST_SIGNUP_LIMIT ?? 0);
const replacements: Record<string, DojoModule> = {
  accounts: createAccountsModule({
    hashing: { N: 2 ** 10, r: 8, p: 1, keyLength: 32 },
    ...(signUps > 0 ? { throttleSignUpPerAddress: { limit: signUps, windowSeconds: 3600 } } : {}),
  }),
};
const modules = MODULES.map((m) => replacements[m.name] ?? m);

const config = loadProcessConfig();
const logger = createLogger({ level: config.logLevel });
const system = await startSystem({
  config,
  logger,
  modules: [...modules, pushTriggerModule],
  version: 'test',
});
process.on('SIGTERM', () => void system.stop().then(() => process.exit(0)));
