/**
 * The ways one case is sent: without a token, with the right tenant's token, with a garbage token, with the
 * other tenant's token (and tenant A's ids), and the twin (the other tenant with random ids), each with the
 * account whose token it carries.
 */
import type { Case } from './model.ts';
import type { Operation } from './schema.ts';
import type { World } from './world.ts';
import type { Account } from './world-accounts.ts';

/** How a request is sent: no token, the right tenant's, a garbage one, tenant B's, tenant B's with random ids. */
export type Mode = 'none' | 'right' | 'garbage' | 'cross' | 'twin';

export interface Variant {
  readonly mode: Mode;
  /** How reports name the token: `none`, `right (memberA)`, `garbage (alg-none)`, `cross (ownerB)`… */
  readonly label: string;
  readonly authorization: string | undefined;
  readonly caller: Account | undefined;
}

/** Operations whose success ends the session the request carries: they get a fresh session per request. */
export const SESSION_ENDING = new Set(['POST /v1/logout']);
/**
 * POST /v1/account/password ends every session of its account when it succeeds: it runs as accounts of its
 * own (pwA in tenant A, pwB in tenant B), whose password and token the bookkeeping follows.
 */
export const PASSWORD_OP = 'POST /v1/account/password';

const bearer = (a: Account) => `Bearer ${a.token}`;

/** The account with a session of its own (a new login), which the request may end without harm. */
async function freshSession(world: World, account: Account): Promise<Account> {
  const { token } = await world.login(account);
  return { ...account, token };
}

/**
 * The four variants of a case, in the order they are judged; and the account of the cross variant, whose
 * token the twin carries too (so the two answers differ only by the ids).
 */
export async function variantsOf(
  world: World,
  op: Operation,
  c: Case,
  garbageTokens: ReadonlyMap<string, string>,
): Promise<{ list: Variant[]; crossCaller: Account }> {
  let right = op.key === PASSWORD_OP ? world.pwA : c.actor === 'memberA' ? world.memberA : world.ownerA;
  let cross = op.key === PASSWORD_OP ? world.pwB : world.ownerB;
  if (SESSION_ENDING.has(op.key))
    [right, cross] = await Promise.all([freshSession(world, right), freshSession(world, cross)]);
  return {
    crossCaller: cross,
    list: [
      { mode: 'none', label: 'none', authorization: undefined, caller: undefined },
      { mode: 'right', label: `right (${right.label})`, authorization: bearer(right), caller: right },
      {
        mode: 'garbage',
        label: `garbage (${c.garbage})`,
        authorization: garbageTokens.get(c.garbage),
        caller: undefined,
      },
      { mode: 'cross', label: `cross (${cross.label})`, authorization: bearer(cross), caller: cross },
    ],
  };
}

/** The twin of the cross variant: the same account (a fresh session where the operation ends it). */
export async function twinVariant(world: World, op: Operation, crossCaller: Account): Promise<Variant> {
  const caller = SESSION_ENDING.has(op.key) ? await freshSession(world, crossCaller) : crossCaller;
  return {
    mode: 'twin',
    label: `twin (${caller.label}, random ids)`,
    authorization: bearer(caller),
    caller,
  };
}
