/**
 * The child of crash.ts: writes POCs of one user as fast as it can, several at a time (creates, edits,
 * deletes), on the store the environment configures, printing `s` when a write starts and `d` when it is
 * acknowledged, until it is killed.
 */
import { randomBytes } from 'node:crypto';
import { loadProcessConfig } from '../../config/index.ts';
import { createStore } from '../../server/adapters/index.ts';
import { silentLogger } from '../../server/lib/log.ts';
import { CursorCodec } from '../../server/modules/pocs/cursor.ts';
import { PocRepo } from '../../server/modules/pocs/repo.ts';
import { POCS_MIGRATIONS } from '../../server/modules/pocs/schema.ts';
import { PocSearch } from '../../server/modules/pocs/search.ts';
import { PocService } from '../../server/modules/pocs/service.ts';

const [tenantId = '', userId = ''] = process.argv.slice(2);
const owner = { tenantId, userId };
const store = await createStore({ config: loadProcessConfig(), logger: silentLogger() });
await store.migrate(POCS_MIGRATIONS);
const secret = randomBytes(32);
// Three services over the one store, as three nodes: a service runs one write per user at a time.
const services = Array.from({ length: 3 }, () => {
  const repo = new PocRepo({ store });
  return new PocService({ repo, search: new PocSearch({ repo }), cursors: new CursorCodec({ secret }) });
});
const TAGS = ['kafka', 'grpc', 'redis', 'k8s', 'ml'];
const ids: string[] = [];
let n = 0;

async function write(): Promise<void> {
  const i = n++;
  const service = services[i % services.length] as PocService;
  const tags = TAGS.filter((_, t) => (i >> t) % 2 === 1);
  process.stdout.write('s');
  if (ids.length < 10 || i % 4 === 0) {
    ids.push(
      (
        await service.create(owner, {
          name: `stream ${i} cache`,
          language: i % 2 ? 'Go' : 'Rust',
          tags,
          repoUrl: 'https://x.test/r',
        })
      ).id,
    );
  } else if (i % 7 === 0) {
    await service.remove(owner, ids.splice(i % ids.length, 1)[0] as string);
  } else {
    await service.update(
      owner,
      ids[i % ids.length] as string,
      i % 3 ? { tags, favorite: i % 5 === 0 } : { name: `queue ${i} ledger` },
    );
  }
  process.stdout.write('d');
}

await Promise.all(
  Array.from({ length: 6 }, async () => {
    for (;;) await write().catch(() => process.stdout.write('d'));
  }),
);
