/**
 * The web app's API types cannot drift from the API: regenerates `web/src/api/schema.gen.ts` from a live
 * server's /openapi.json and fails when the committed file differs (fix: `npm run gen:api` against a
 * running server, or `node web/scripts/openapi-types.ts <url>`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestSystem, type TestSystem } from '../support/system.ts';
import { generate, type OpenApiDocument } from '../../web/scripts/openapi-types.ts';

const COMMITTED = path.resolve(import.meta.dirname, '../../web/src/api/schema.gen.ts');
const s = suite('web: the API client’s types match /openapi.json');
let system: TestSystem;

s.before(async () => {
  system = await startTestSystem();
});
s.after(async () => {
  await system?.cleanup();
});

s('the committed schema.gen.ts is what the live document generates', async () => {
  const doc = (await (await fetch(`${system.url}/openapi.json`)).json()) as OpenApiDocument;
  const fresh = generate(doc);
  const committed = readFileSync(COMMITTED, 'utf8');
  if (fresh !== committed) {
    const a = fresh.split('\n');
    const b = committed.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    assert.unreachable(
      `schema.gen.ts is stale from line ${line + 1}: generated «${a[line]}», committed «${b[line]}». Run npm run gen:api.`,
    );
  }
});

s('every /v1 operation of the document is in the generated types', async () => {
  const doc = (await (await fetch(`${system.url}/openapi.json`)).json()) as OpenApiDocument;
  const generated = generate(doc);
  for (const [p, ops] of Object.entries(doc.paths).filter(([p]) => p.startsWith('/v1/'))) {
    assert.ok(generated.includes(`${JSON.stringify(p)}: {`), p);
    for (const method of Object.keys(ops))
      assert.match(generated, new RegExp(`\\n    ${method}: \\{`), `${method} ${p}`);
  }
});

s.run();
