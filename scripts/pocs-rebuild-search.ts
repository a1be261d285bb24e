/**
 * `npm run pocs:rebuild-search [-- --check]`: compares the POC search tables (`pocs_by_facet`,
 * `pocs_by_gram`, `pocs_facet_counts`) with the base table `pocs_by_user` and repairs every difference
 * (with `--check`, only reports them; the exit code is 1 when any was found). Uses the server's
 * configuration; safe while servers run (a second run settles what a racing write changed meanwhile).
 */
import { loadProcessConfig } from '../config/index.ts';
import { createStore } from '../server/adapters/index.ts';
import { createLogger } from '../server/lib/log.ts';
import { POCS_MIGRATIONS } from '../server/modules/pocs/schema.ts';
import { checkSearchTables } from '../server/modules/pocs/search-repair.ts';

const checkOnly = process.argv.includes('--check');
const config = loadProcessConfig();
const logger = createLogger({ level: config.logLevel });
const store = await createStore({ config, logger: logger.child({ port: 'store' }) });
try {
  await store.migrate(POCS_MIGRATIONS);
  const started = performance.now();
  const result = await checkSearchTables(store, { repair: !checkOnly });
  logger.info(
    {
      pocs: result.pocs,
      disagreements: result.disagreements,
      examples: result.problems.slice(0, 10),
      seconds: Math.round((performance.now() - started) / 100) / 10,
    },
    checkOnly ? 'POC search tables checked' : 'POC search tables repaired',
  );
  if (checkOnly && result.disagreements > 0) process.exitCode = 1;
} finally {
  await store.close();
}
