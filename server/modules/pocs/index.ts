import { loadOrCreateSecret } from '../../lib/secrets.ts';
import type { DojoModule, ModuleContext } from '../../modules.ts';
import { CursorCodec } from './cursor.ts';
import { pocEndpoints } from './endpoints.ts';
import { PocPageCache } from './page-cache.ts';
import { PocRepo } from './repo.ts';
import { pocsHistory } from './history.ts';
import { POCS_MIGRATIONS } from './schema.ts';
import { PocSearch } from './search.ts';
import { PocService } from './service.ts';

export interface PocsOptions {
  /** Lifetime of a user's page version in the cache after the last write or search that set it. */
  readonly pageVersionTtlSeconds?: number;
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
  const ttlSeconds = options.pageVersionTtlSeconds ?? 24 * 3600;
  const maxPages = options.searchPages ?? 2000;
  return new PocService({
    repo,
    search: new PocSearch({ repo }),
    cursors: new CursorCodec({ secret }),
    events: () => ctx.optional('events'),
    ...(maxPages > 0 ? { pages: new PocPageCache({ cache: adapters.cache, ttlSeconds, maxPages }) } : {}),
  });
}

/** POCs (issues #4, #16): register, favorite, search by name, language and tags from query-first tables. */
export function createPocsModule(options: PocsOptions = {}): DojoModule {
  return {
    name: 'pocs',
    migrations: POCS_MIGRATIONS,
    init: (ctx) => ({
      endpoints: pocEndpoints(createPocService(ctx, options)),
      history: () => pocsHistory(ctx.adapters.store),
    }),
  };
}
