import { AppError } from '../../lib/errors.ts';
import type { AccountsService } from './service.ts';

/**
 * The plan's member limit. Checking a count is not enough: invitations outstanding can outnumber the seats,
 * and two people confirming at once both see one seat left. So a member holds a numbered seat row
 * (`seats_by_tenant`), claimed with an insert-if-absent before the membership is written: of two claims of
 * one seat, one wins and the other tries the next seat, refused once none is left under the limit.
 */

/** Refuses (402, naming `limits.members`) when the plan has no seat left: checked on inviting and signing up. */
export async function assertSeatLeft(s: AccountsService, tenantId: string): Promise<void> {
  const entitlements = s.entitlements();
  if (!entitlements) return;
  const [plan, holders] = await Promise.all([entitlements.of(tenantId), seatHolders(s, tenantId)]);
  if (holders.count >= plan.limits.members) throw noSeat(plan.plan, plan.limits.members);
}

/**
 * Gives `userId` a seat of the tenant, once (again for the same user: the seat it has), or refuses with 402
 * when the plan's seats are all held. Members who joined before seats were kept are seated first, beyond
 * the limit if need be: they are members already.
 */
export async function takeSeat(s: AccountsService, tenantId: string, userId: string): Promise<void> {
  const plan = await s.entitlements()?.of(tenantId);
  const limit = plan?.limits.members ?? Infinity;
  // Every round either finds the user seated or fills a seat (another's, when the claim loses a race).
  for (let round = 0; round < 1000; round++) {
    const { seats, seated, unseated, count } = await seatHolders(s, tenantId);
    if (seated.has(userId)) return;
    const who = unseated.find((id) => id !== userId) ?? userId;
    if (who === userId && count >= limit) throw noSeat(plan?.plan ?? '', limit);
    let seat = 0;
    while (seats.has(seat)) seat++;
    if ((await s.repo.claimSeat(tenantId, seat, who)) === userId) return;
  }
  throw new Error(`no seat settled for ${userId} in tenant ${tenantId}`);
}

interface SeatHolders {
  /** Seat numbers taken. */
  readonly seats: ReadonlySet<number>;
  readonly seated: ReadonlySet<string>;
  /** Members without a seat row (from before seats were kept), oldest first. */
  readonly unseated: readonly string[];
  /** Seats held, counting every member not seated yet as holding one. */
  readonly count: number;
}

async function seatHolders(s: AccountsService, tenantId: string): Promise<SeatHolders> {
  const [held, members] = await Promise.all([s.repo.seats(tenantId), s.repo.members(tenantId)]);
  const seats = new Set(held.map((h) => h.seat));
  const seated = new Set(held.map((h) => h.userId));
  const unseated = members
    .filter((m) => !seated.has(m.userId))
    .sort((a, b) => a.joined.getTime() - b.joined.getTime() || a.userId.localeCompare(b.userId))
    .map((m) => m.userId);
  return { seats, seated, unseated, count: seats.size + unseated.length };
}

function noSeat(plan: string, limit: number): AppError {
  return new AppError(
    'TENANT.MEMBER_LIMIT',
    `Plan ${plan} allows ${limit} members, and the workspace has them all.`,
    {
      kind: 'PAYMENT_REQUIRED',
      fields: [{ path: 'limits.members', message: `Plan ${plan} allows ${limit}; upgrade for more` }],
    },
  );
}
