import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { uniqueName } from '../support/services.ts';
import { newSession, post, startNode, type Backend, type Node } from './harness.ts';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * A node on the production defaults (scrypt N=2^17, r=8, p=1) but a small per-address budget, under its own
 * cache prefix so its address counter is its own.
 */
export function productionSuite(backend: Backend): void {
  const s = suite(`accounts on production hashing (${backend.label})`);
  let node: Node;
  s.before(async () => {
    node = await startNode(
      backend,
      { throttlePerAddress: { freeFailures: 6, windowSeconds: 60, maxLockSeconds: 4 } },
      { REDIS_KEY_PREFIX: `${uniqueName('accounts_prod')}:` },
    );
  });
  s.after(() => node.stop());

  s(
    'sign-up stores an upgradable scrypt hash; unknown user and wrong password take about as long',
    async () => {
      const session = await newSession(node);
      const row = await node.system.adapters.store.get('users_by_id', { user_id: session.userId });
      assert.match(
        String(row?.password_hash),
        /^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/,
      );
      const time = async (username: string) => {
        const started = performance.now();
        const res = await post(node, '/v1/login', { username, password: 'not-the-password' });
        assert.is(res.status, 401);
        return performance.now() - started;
      };
      const wrong: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 3; i++) {
        wrong.push(await time(session.user.username));
        unknown.push(await time(`nobody-${i}`));
      }
      const [w, u] = [median(wrong), median(unknown)];
      console.log(
        `    [measure ${backend.label}] login failure: wrong password ${w.toFixed(0)} ms, unknown user ${u.toFixed(0)} ms`,
      );
      assert.ok(u > w * 0.6 && u < w * 1.6, `unknown ${u} ms vs wrong ${w} ms`);
    },
  );

  s('the client address is throttled across usernames', async () => {
    const attempt = (i: number) =>
      post(node, '/v1/login', { username: `spray-${i}`, password: 'Summer2024!' });
    let status = 0;
    for (let i = 0; i < 8 && status !== 429; i++) status = (await attempt(i)).status;
    assert.is(status, 429, 'a password spray from one address is locked');
    const res = await attempt(99);
    assert.is(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
  });

  s.run();
}
