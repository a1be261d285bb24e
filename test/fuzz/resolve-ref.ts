/**
 * What a case's Ref stands for in one variant. Cases are symbolic so that the same case means the right thing
 * for each way it is sent, and a replay means the same against a new run's data: the caller's own things in
 * tenant A for the right variant, tenant A's owner's for the others, random ids for the twin.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { applyTwist, TWIN_KINDS, type Ref } from './model.ts';
import type { Mode } from './variants.ts';
import type { World } from './world.ts';
import type { Account } from './world-accounts.ts';

/** What a variant needs to resolve Refs: who calls, and whether the request may change what it names. */
export interface ResolveContext {
  readonly mode: Mode;
  /** The account whose token the request carries (right and cross modes). */
  readonly caller: Account | undefined;
  /** Non-GET requests of tenant A act on expendable resources, never on the ones the integrity check watches. */
  readonly mutating: boolean;
}

/** Resolves a Ref for one variant of a case, twisted (upper-cased, in braces…) as the Ref says. */
export function resolveRef(world: World, ref: Ref, ctx: ResolveContext): string {
  return applyTwist(resolveUntwisted(world, ref, ctx), ref.twist);
}

function resolveUntwisted(w: World, ref: Ref, ctx: ResolveContext): string {
  const { mode } = ctx;
  // The Ref's number picks among the candidates; which candidates there are depends on the variant.
  const pick = <T>(list: readonly T[]): T => list[ref.pick % list.length] as T;
  if (mode === 'twin' && TWIN_KINDS.has(ref.kind)) {
    return ref.kind === 'cursor' ? randomBytes(24).toString('base64url') : randomUUID();
  }
  // The caller's own things in tenant A (right mode); tenant A's owner's otherwise.
  const self = mode === 'right' && ctx.caller ? ctx.caller : w.ownerA;
  const usersA = [self, ...[w.ownerA, w.memberA].filter((a) => a.label !== self.label)];
  const watchedOf = (a: Account) => w.pocs.get(a.label)?.watched ?? w.pocs.get(w.ownerA.label)?.watched ?? [];
  switch (ref.kind) {
    case 'userId':
      return pick(usersA).userId;
    case 'tenantId':
      return w.ownerA.tenantId;
    case 'username':
      return pick(usersA).username;
    case 'email':
      return pick(usersA).email;
    case 'pocId': {
      if (mode === 'right') {
        const own = w.pocs.get(self.label);
        return pick((ctx.mutating ? own?.fodder : own?.watched) ?? watchedOf(w.ownerA));
      }
      return pick([...watchedOf(w.ownerA), ...watchedOf(w.memberA)]);
    }
    case 'dojoId':
      return pick(w.dojosA);
    case 'messageId':
      return mode === 'right' && ctx.mutating ? pick(w.fodderMessages).id : pick(w.messagesA);
    case 'notificationId': {
      const own = mode === 'right' ? w.notifications.get(self.label) : undefined;
      const list = own?.length ? own : w.notifications.get(w.refreshA.label);
      return list?.length ? pick(list) : randomUUID();
    }
    case 'anyId':
      // Tenant A's own mutations never name a watched resource, even through an id of another kind.
      if (mode === 'right' && ctx.mutating) {
        return pick([
          self.userId,
          self.tenantId,
          ...(w.pocs.get(self.label)?.fodder ?? []),
          ...w.dojosA,
          ...w.fodderMessages.map((m) => m.id),
        ]);
      }
      return pick([w.ownerA.userId, w.ownerA.tenantId, ...watchedOf(w.ownerA), ...w.dojosA, ...w.messagesA]);
    case 'cursor':
      return w.cursors.get(self.label) ?? w.cursors.get(w.ownerA.label) ?? 'none';
    case 'pictureId':
      return w.pictureIds.get(pick(usersA).userId) ?? w.pictureIds.get(w.ownerA.userId) ?? 'none';
    case 'refreshToken':
      return pick(w.refreshTokens);
    case 'confirmToken':
      return pick(w.confirmTokens);
    case 'invitationToken':
      return w.invitationToken;
    case 'password':
      // Tenant B never has tenant A's passwords; everyone else may log in for real.
      return mode === 'cross' || mode === 'twin' ? `wrong-${ref.pick}-password` : self.password;
    case 'currentPassword':
      return mode === 'right' && ctx.caller ? ctx.caller.password : `wrong-${ref.pick}-password`;
    case 'image':
      return pick(w.images);
  }
}
