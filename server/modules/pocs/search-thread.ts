/**
 * A search thread (see SearchThreads): its own connection to the store, read-only where the adapter
 * allows it, and the same PocSearch and page JSON as the event loop would run. It answers searches one
 * after another as they come; concurrency comes from having several threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createStore } from '../../adapters/store.ts';
import { createLogger } from '../../lib/log.ts';
import { CursorCodec } from './cursor.ts';
import { InlinePages } from './page-maker.ts';
import { PocRepo } from './repo.ts';
import { POCS_MIGRATIONS } from './schema.ts';
import { PocSearch } from './search.ts';
import {
  sentError,
  type SearchReply,
  type SearchRequest,
  type SearchThreadData,
} from './search-thread-protocol.ts';

const port = parentPort;
if (!port) throw new Error('search-thread.ts runs as a worker thread');
const data = workerData as SearchThreadData;
const logger = createLogger({ level: data.config.logLevel, name: 'dojo-search' });

const store = await createStore({
  config: data.config,
  logger: logger.child({ port: 'store' }),
  readOnly: true,
});
await store.migrate(POCS_MIGRATIONS);
const repo = new PocRepo({ store });
const pages = new InlinePages({
  search: new PocSearch({ repo }),
  cursors: new CursorCodec({ secret: Buffer.from(data.secret) }),
});

function answer(request: SearchRequest): void {
  pages.page(request.owner, request.query, request.request, request.scope).then(
    (page) => {
      // A copy of its own to transfer: a small Buffer is a slice of a pool shared with other buffers.
      const json = new Uint8Array(page.json);
      const reply: SearchReply = { id: request.id, page: { ...page, json } };
      port?.postMessage(reply, [json.buffer]);
    },
    (error: unknown) => {
      const sent = sentError(error);
      if (sent.kind === 'INTERNAL') logger.error({ err: error }, 'poc search failed');
      port?.postMessage({ id: request.id, error: sent } satisfies SearchReply);
    },
  );
}

port.on('message', (message: SearchRequest | 'close') => {
  if (message !== 'close') return answer(message);
  void store.close().finally(() => port.close());
});
port.postMessage({ ready: true } satisfies SearchReply);
