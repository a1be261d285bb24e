import { createPgliteAnalytics, MEMORY } from '../../server/adapters/analytics-pglite/index.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { projectionSuite } from './projection.suite.ts';

projectionSuite({
  label: 'PGlite',
  make: () => createPgliteAnalytics({ dataDir: MEMORY, logger: silentLogger() }),
});
