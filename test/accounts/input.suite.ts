import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startMain } from './flow.suite.ts';
import { badCases, type BadCase } from './bad-input.cases.ts';
import {
  call,
  get,
  newSession,
  post,
  type Answer,
  type Backend,
  type Node,
  type Session,
} from './harness.ts';

function checkProblem(c: BadCase, res: Answer): void {
  assert.is(res.status, c.status, `${c.name}: ${JSON.stringify(res.body).slice(0, 300)}`);
  assert.is(res.type, 'application/problem+json', c.name);
  if (c.field) {
    const paths = ((res.body.errors ?? []) as { path: string }[]).map((e) => e.path);
    assert.ok(paths.includes(c.field), `${c.name}: errors name ${paths.join(', ')}`);
  }
}

/** Bad input on every endpoint, the OpenAPI document, pictures, throttling and enumeration. */
export function inputSuite(backend: Backend): void {
  const s = suite(`accounts input (${backend.label})`);
  let node: Node;
  let owner: Session;
  s.before(async () => {
    node = await startMain(backend);
    owner = await newSession(node);
  });
  s.after(() => node.stop());

  s('bad input on every endpoint is a 4xx problem naming the field', async () => {
    for (const c of badCases()) {
      const res = await call(node, c.method, c.path, c.body, {
        ...(c.auth ? { token: owner.token } : {}),
        ...(c.raw !== undefined ? { raw: c.raw } : {}),
      });
      checkProblem(c, res);
    }
  });

  s('the OpenAPI document covers every endpoint with request and response schemas', async () => {
    const doc = (await get(node, '/openapi.json')).body as {
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: unknown;
            parameters?: { name: string }[];
            responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
          }
        >
      >;
    };
    const expected: [string, string, 'body' | 'query' | 'path' | 'none'][] = [
      ['/v1/account', 'post', 'body'],
      ['/v1/account/confirm', 'post', 'body'],
      ['/v1/account/confirm', 'get', 'query'],
      ['/v1/login', 'post', 'body'],
      ['/v1/oauth/token', 'post', 'body'],
      ['/v1/logout', 'post', 'body'],
      ['/.well-known/jwks.json', 'get', 'none'],
      ['/v1/account/profile', 'get', 'none'],
      ['/v1/account/profile', 'post', 'body'],
      ['/v1/account/password', 'post', 'body'],
      ['/v1/user', 'get', 'query'],
      ['/v1/user/status', 'post', 'body'],
      ['/v1/user/picture', 'post', 'body'],
      ['/v1/user/{userId}/picture/{pictureId}', 'get', 'path'],
      ['/v1/tenant', 'get', 'none'],
      ['/v1/tenant/invitations', 'post', 'body'],
      ['/v1/tenant/members', 'get', 'none'],
    ];
    for (const [path, method, input] of expected) {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${method} ${path} is documented`);
      if (input === 'body') assert.ok(op.requestBody, `${method} ${path} has a request schema`);
      if (input === 'query' || input === 'path')
        assert.ok(op.parameters?.length, `${method} ${path} has parameters`);
      const ok = Object.entries(op.responses).find(([status]) => status.startsWith('2') || status === '302');
      assert.ok(ok, `${method} ${path} documents its success`);
      if (ok[0] !== '302')
        assert.ok(Object.values(ok[1].content ?? {})[0]?.schema, `${method} ${path} has a response schema`);
    }
    const token = doc.paths['/v1/oauth/token']?.post?.requestBody as { content: Record<string, unknown> };
    assert.ok(token.content['application/x-www-form-urlencoded'], 'the token endpoint documents form bodies');
  });

  s('pictures: judged by content, re-encoded, served through a stable link', async () => {
    const { createCanvas, loadImage } = await import('@napi-rs/canvas');
    const canvas = createCanvas(300, 200);
    canvas.getContext('2d').fillRect(0, 0, 300, 200);
    const png = await canvas.encode('png');
    const res = await post(
      node,
      '/v1/user/picture',
      { image: `data:image/jpeg;base64,${png.toString('base64')}` },
      { token: owner.token },
    );
    assert.is(res.status, 200, JSON.stringify(res.body));
    assert.is(res.body.success, true);
    const link = new URL(String(res.body.picture));
    assert.match(link.pathname, new RegExp(`^/v1/user/${owner.userId}/picture/[A-Za-z0-9_-]{22}$`));
    const redirect = await fetch(node.url + link.pathname, { redirect: 'manual' });
    assert.is(redirect.status, 302);
    const target = new URL(redirect.headers.get('location') ?? '');
    const image = await fetch(node.url + target.pathname + target.search);
    assert.is(image.status, 200);
    assert.is(image.headers.get('content-type'), 'image/webp');
    const decoded = await loadImage(Buffer.from(await image.arrayBuffer()));
    assert.equal([decoded.width, decoded.height], [256, 256]);
    const jpeg = await canvas.encode('jpeg', 80);
    const plain = await post(
      node,
      '/v1/user/picture',
      { image: jpeg.toString('base64') },
      { token: owner.token },
    );
    assert.is(plain.status, 200, 'plain base64 JPEG');
    assert.is(
      (await fetch(node.url + link.pathname, { redirect: 'manual' })).status,
      404,
      'the replaced picture is gone',
    );
    const profile = await get(node, '/v1/account/profile', { token: owner.token });
    assert.is(profile.body.picture, plain.body.picture);
  });

  s('pictures: oversized → 413, non-image → 415, corrupt → 400, pixel bombs → 413', async () => {
    const send = (image: string) => post(node, '/v1/user/picture', { image }, { token: owner.token });
    const magic = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const big = Buffer.concat([magic, Buffer.alloc(2 * 1024 * 1024)]);
    const over = await send(big.toString('base64'));
    assert.is(over.status, 413);
    assert.is(over.body.code, 'PICTURE.TOO_LARGE');
    const huge = await send(Buffer.alloc(3 * 1024 * 1024).toString('base64'));
    assert.is(huge.status, 413, 'over the endpoint body limit');
    const text = await send(Buffer.from('hello, I am not an image at all').toString('base64'));
    assert.is(text.status, 415);
    assert.is(text.type, 'application/problem+json');
    const svg = await send(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>').toString('base64'));
    assert.is(svg.status, 415);
    const corrupt = await send(Buffer.concat([magic, Buffer.from('garbage'.repeat(10))]).toString('base64'));
    assert.is(corrupt.status, 400);
    const ihdr = Buffer.alloc(25);
    ihdr.writeUInt32BE(13, 0);
    ihdr.write('IHDR', 4, 'latin1');
    ihdr.writeUInt32BE(20_000, 8);
    ihdr.writeUInt32BE(20_000, 12);
    const bomb = await send(Buffer.concat([magic, ihdr, Buffer.alloc(64)]).toString('base64'));
    assert.is(bomb.status, 413);
    assert.is(bomb.body.code, 'PICTURE.TOO_MANY_PIXELS');
  });

  s('no enumeration: unknown user and wrong password get the same answer', async () => {
    const unknown = await post(node, '/v1/login', { username: 'nobody-here', password: 'whatever-it-is' });
    const wrong = await post(node, '/v1/login', {
      username: owner.user.username,
      password: 'whatever-it-is',
    });
    assert.is(unknown.status, 401);
    assert.equal(unknown.body, wrong.body);
    assert.is(unknown.headers.get('content-type'), wrong.headers.get('content-type'));
  });

  s('throttling per account: 429 with Retry-After after repeated failures; success resets', async () => {
    const session = await newSession(node);
    const attempt = (password: string) =>
      post(node, '/v1/login', { username: session.user.username, password });
    for (let i = 0; i < 5; i++) assert.is((await attempt('wrong-password')).status, 401);
    assert.is((await attempt(session.user.password)).status, 200, 'five failures do not lock');
    for (let i = 0; i < 6; i++)
      assert.is((await attempt('wrong-password')).status, 401, 'the counter was reset');
    const locked = await attempt(session.user.password);
    assert.is(locked.status, 429);
    assert.is(locked.body.code, 'AUTH.TOO_MANY_ATTEMPTS');
    assert.ok(Number(locked.headers.get('retry-after')) >= 1);
    const unknown = (i: number) => post(node, '/v1/login', { username: 'ghost-user', password: `pw-${i}` });
    for (let i = 0; i < 6; i++) assert.is((await unknown(i)).status, 401);
    assert.is((await unknown(7)).status, 429, 'unknown usernames are throttled alike');
  });

  s.run();
}
