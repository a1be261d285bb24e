/**
 * The Authorization headers of the garbage variant, forged once from real tokens of the run so that each is
 * nearly right: tenant A's token unsigned (alg none), with tenant B's tenant claim, with a damaged or tenant
 * B's signature, signed HS256 with the public key; a refresh token as an access token; and plain junk.
 */
import { SignJWT } from 'jose';
import type { GarbageToken } from './model.ts';
import type { World } from './world.ts';

export async function forgeGarbageTokens(world: World): Promise<Map<GarbageToken, string>> {
  const { ownerA, ownerB } = world;
  const [headA = '', payloadA = '', sigA = ''] = ownerA.token.split('.');
  const [, , sigB = ''] = ownerB.token.split('.');
  const claims = JSON.parse(Buffer.from(payloadA, 'base64url').toString('utf8')) as Record<string, unknown>;
  const header = JSON.parse(Buffer.from(headA, 'base64url').toString('utf8')) as Record<string, unknown>;
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  // Whatever the claim is called, it is the one that holds tenant A's id.
  const tenantKey = Object.keys(claims).find((k) => claims[k] === ownerA.tenantId) ?? 'tid';
  const jwks = await world.api('GET', '/.well-known/jwks.json');
  const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  // Algorithm confusion: a verifier that trusted the header's alg would check HMAC with the public key.
  const hs = await new SignJWT(claims)
    .setProtectedHeader({ ...header, alg: 'HS256' } as { alg: string })
    .sign(new TextEncoder().encode(JSON.stringify((jwks.body.keys as unknown[] | undefined)?.[0] ?? {})));
  return new Map<GarbageToken, string>([
    ['word', 'Bearer garbage'],
    ['random', 'Bearer Zm9vYmFyYmF6cXV4LmZ1enoudG9rZW4tZ2FyYmFnZQ'],
    ['alg-none', `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payloadA}.`],
    ['tampered-tenant', `Bearer ${headA}.${b64({ ...claims, [tenantKey]: ownerB.tenantId })}.${sigA}`],
    ['bad-signature', `Bearer ${headA}.${payloadA}.${flip(sigA)}`],
    ['foreign-signature', `Bearer ${headA}.${payloadA}.${sigB}`],
    ['basic', `Basic ${Buffer.from(`${ownerA.username}:${ownerA.password}`).toString('base64')}`],
    ['huge', `Bearer ${'a'.repeat(8000)}`],
    ['empty', 'Bearer '],
    ['refresh-as-access', `Bearer ${world.refreshTokens[0] ?? 'x'}`],
    ['hs256-confusion', `Bearer ${hs}`],
    ['four-part-jwt', `Bearer ${ownerA.token}.${sigA}`],
  ]);
}
