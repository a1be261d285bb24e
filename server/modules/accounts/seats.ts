import { AppError } from '../../lib/errors.ts';
import type { AccountsService } from './service.ts';

/**
 * Refuses (402, naming `limits.members`) when the tenant's plan has no seat left: its members, the owner
 * included, already fill it. Checked when inviting and again when an invitation is used, since invitations
 * outstanding can outnumber the seats.
 */
export async function assertSeatLeft(s: AccountsService, tenantId: string): Promise<void> {
  const entitlements = s.entitlements();
  if (!entitlements) return;
  const [plan, members] = await Promise.all([entitlements.of(tenantId), s.repo.members(tenantId)]);
  const limit = plan.limits.members;
  if (members.length >= limit) {
    throw new AppError(
      'TENANT.MEMBER_LIMIT',
      `Plan ${plan.plan} allows ${limit} members, and the workspace has them all.`,
      {
        kind: 'PAYMENT_REQUIRED',
        fields: [{ path: 'limits.members', message: `Plan ${plan.plan} allows ${limit}; upgrade for more` }],
      },
    );
  }
}
