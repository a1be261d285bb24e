import { randomUUID } from 'node:crypto';
import { AppError } from '../../lib/errors.ts';
import { invitationMail } from './mail.ts';
import { hashToken } from './refresh.ts';
import type { Member, User } from './repo.ts';
import { TABLES } from './schema.ts';
import type { AccountsService } from './service.ts';
import { assertSeatLeft } from './seats.ts';
import { newSecret } from './signup.ts';
import type { AuthContext } from './tokens.ts';

/**
 * Invites an email address into the caller's tenant. The mail carries a single-use token bound to that
 * address; only its hash is stored. Inviting an address that already has an account is a 409: accounts
 * belong to one tenant.
 */
export async function invite(
  s: AccountsService,
  auth: AuthContext,
  input: { readonly email: string; readonly role: 'member' | 'admin' },
): Promise<{ invitationId: string }> {
  const email = input.email.toLowerCase();
  const existing = await s.adapters.store.get(TABLES.emails, { email });
  if (existing) {
    throw new AppError('TENANT.EMAIL_REGISTERED', 'An account with this email already exists.', {
      kind: 'CONFLICT',
      fields: [{ path: 'email', message: 'Already registered' }],
    });
  }
  await assertSeatLeft(s, auth.tenantId);
  const [tenant, inviter] = await Promise.all([s.repo.tenant(auth.tenantId), s.repo.user(auth.userId)]);
  const token = newSecret();
  const invitationId = randomUUID();
  const ttl = s.options.invitationTtlSeconds;
  const now = Date.now();
  await s.adapters.store.insert(
    TABLES.invitations,
    {
      token_hash: hashToken(token),
      invitation_id: invitationId,
      tenant_id: auth.tenantId,
      email,
      role: input.role,
      state: 'PENDING',
      invited_by: auth.userId,
      created: new Date(now),
      expires_at: new Date(now + ttl * 1000),
    },
    { ttlSeconds: ttl },
  );
  const link = `${s.config.publicUrl}/signup?invitation=${token}`;
  const inviterName = inviter ? `${inviter.firstName} ${inviter.lastName}` : 'A colleague';
  await s.adapters.mailer.send(
    invitationMail(email, tenant?.name ?? 'a Dojo workspace', inviterName, link, Math.round(ttl / 86400)),
  );
  return { invitationId };
}

/** The tenant's members with their accounts, read in small parallel batches. */
export async function membersWithUsers(
  s: AccountsService,
  tenantId: string,
): Promise<{ member: Member; user: User }[]> {
  const members = await s.repo.members(tenantId);
  const out: { member: Member; user: User }[] = [];
  for (let i = 0; i < members.length; i += 20) {
    const batch = members.slice(i, i + 20);
    const users = await Promise.all(batch.map((m) => s.repo.user(m.userId)));
    batch.forEach((member, j) => {
      const user = users[j];
      if (user && user.tenantId === tenantId) out.push({ member, user });
    });
  }
  return out;
}
