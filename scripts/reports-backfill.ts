/**
 * `npm run reports:backfill`: rebuilds the reporting read model (PostgreSQL, or the embedded PGlite under
 * DATA_DIR) from the system of record, with the same configuration as the server. With the embedded
 * defaults, stop the server first: PGlite's files are one process's at a time.
 */
import { loadProcessConfig } from '../config/index.ts';
import { createLogger } from '../server/lib/log.ts';
import { MODULES } from '../server/modules-list.ts';
import { startSystem } from '../server/system.ts';

const config = loadProcessConfig();
const logger = createLogger({ level: config.logLevel });
// Its own process on no port of its own, without the roles that would serve or consume meanwhile.
const system = await startSystem({
  config: { ...config, port: 0, host: '127.0.0.1', roles: ['api'] },
  logger,
  modules: MODULES,
  version: 'backfill',
});
try {
  const admin = system.capabilities.reportsAdmin;
  if (!admin) throw new Error('no reports module runs');
  const started = performance.now();
  const { events } = await admin.backfill();
  logger.info(
    { events, seconds: Math.round((performance.now() - started) / 100) / 10 },
    'read model rebuilt',
  );
} finally {
  await system.stop();
}
