import { loadOrCreateSecret } from '../../lib/secrets.ts';
import type { DojoModule, ModuleContext } from '../../modules.ts';
import { CursorCodec } from './cursor.ts';
import { pocEndpoints } from './endpoints.ts';
import { PocPageCache } from './page-cache.ts';
import { PocRepo } from './repo.ts';
import { pocsHistory } from './history.ts';
import { POCS_MIGRATIONS } from './schema.ts';
import { InlinePages } from './page-maker.ts';
import { PocSearch } from './search.ts';
import { SearchThreads } from './search-threads.ts';
import { PocService } from './service.ts';

export interface PocsOptions {
  /** Lifetime of a user's page version in the cache after the last write or search that set it. */
  readonly pageVersionTtlSeconds?: number;
  /** Search pages kept in process per node (default 2000); 0 computes every search. */
  readonly searchPages?: number;
}

export async function createPocService(
  ctx: ModuleContext,
  options: PocsOptions = {},
): Promise<{ service: PocService; threads: SearchThreads | undefined }> {
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
  const search = new PocSearch({ repo });
  const cursors = new CursorCodec({ secret });
  const ttlSeconds = options.pageVersionTtlSeconds ?? 24 * 3600;
  const maxPages = options.searchPages ?? 2000;
  // Searches only come in on api nodes: the other roles need no threads.
  const threads =
    config.pocSearchThreads > 0 && config.roles.includes('api')
      ? await SearchThreads.start({
          threads: config.pocSearchThreads,
          config,
          secret,
          logger: logger.child({ module: 'pocs' }),
          fallback: new InlinePages({ search, cursors }),
        })
      : undefined;
  const service = new PocService({
    repo,
    search,
    cursors,
    ...(threads ? { pageMaker: threads } : {}),
    events: () => ctx.optional('events'),
    ...(maxPages > 0 ? { pages: new PocPageCache({ cache: adapters.cache, ttlSeconds, maxPages }) } : {}),
  });
  return { service, threads };
}

/** POCs (issues #4, #16): register, favorite, search by name, language and tags from query-first tables. */
export function createPocsModule(options: PocsOptions = {}): DojoModule {
  return {
    name: 'pocs',
    migrations: POCS_MIGRATIONS,
    init: async (ctx) => {
      const { service, threads } = await createPocService(ctx, options);
      return {
        endpoints: pocEndpoints(service),
        history: () => pocsHistory(ctx.adapters.store),
        close: async () => threads?.close(),
      };
    },
  };
}
