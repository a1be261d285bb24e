import { loadOrCreateSecret } from '../../lib/secrets.ts';
import type { DojoModule, ModuleContext } from '../../modules.ts';
import { CursorCodec } from './cursor.ts';
import { pocEndpoints } from './endpoints.ts';
import { PocIndex } from './index-sets.ts';
import { PocPageCache } from './page-cache.ts';
import { PocRepo } from './repo.ts';
import { POCS_MIGRATIONS } from './schema.ts';
import { PocSearch } from './search.ts';
import { PocService } from './service.ts';

export interface PocsOptions {
  /** Lifetime of a user's Redis sets after their last rebuild (writes extend the sets they touch). */
  readonly indexTtlSeconds?: number;
  /** Search pages kept in process per node (default 2000); 0 computes every search. */
  readonly searchPages?: number;
}

export function createPocService(ctx: ModuleContext, options: PocsOptions = {}): PocService {
  const { config, logger, adapters } = ctx;
  if (config.cassandra && !config.urlSigningSecret) {
    logger.warn(
      'URL_SIGNING_SECRET is not set: each node signs POC cursors with its own key, so a cursor only works on ' +
        'the node that issued it. Set it on every node of a Cassandra deployment.',
    );
  }
  const secret = loadOrCreateSecret({
    configured: config.urlSigningSecret,
    dataDir: config.dataDir,
    name: 'poc-cursor',
  });
  const repo = new PocRepo({ store: adapters.store });
  const ttlSeconds = options.indexTtlSeconds ?? 24 * 3600;
  const index = new PocIndex({ cache: adapters.cache, logger: logger.child({ module: 'pocs' }), ttlSeconds });
  const maxPages = options.searchPages ?? 2000;
  return new PocService({
    repo,
    index,
    search: new PocSearch({ repo, index }),
    cursors: new CursorCodec({ secret }),
    ...(maxPages > 0 ? { pages: new PocPageCache({ cache: adapters.cache, ttlSeconds, maxPages }) } : {}),
  });
}

/** POCs (issue #4): register, favorite, search by name, language and tags, cached in Redis sets. */
export function createPocsModule(options: PocsOptions = {}): DojoModule {
  return {
    name: 'pocs',
    migrations: POCS_MIGRATIONS,
    init: (ctx) => ({ endpoints: pocEndpoints(createPocService(ctx, options)) }),
  };
}
