import { randomBytes, randomUUID } from 'node:crypto';
import { AppError, invalid, type FieldError } from '../../lib/errors.ts';
import type { Row } from '../../ports/store.ts';
import { confirmationMail } from './mail.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { hashToken } from './refresh.ts';
import { assertSeatLeft, takeSeat } from './seats.ts';
import { TABLES } from './schema.ts';
import type { AccountsService } from './service.ts';
import type { Role } from './tokens.ts';
import { canonicalUsername, USERNAME_MESSAGE } from './username.ts';

export interface SignUpInput {
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly username: string;
  readonly password: string;
  readonly invitation?: string | undefined;
}

export const newSecret = () => randomBytes(32).toString('base64url');

const invalidInvitation = () =>
  invalid('ACCOUNT.INVITATION_INVALID', 'The invitation is unknown, expired or already used.', [
    { path: 'invitation', message: 'Unknown, expired or already used' },
  ]);

type Claim = { readonly table: string; readonly column: string; readonly value: string };

/**
 * Claims a unique value (username, email) for a new user with a conditional insert, so of two concurrent
 * sign-ups exactly one wins. A claim left by a sign-up that was never confirmed (older than the
 * confirmation lifetime, its user unconfirmed or gone) is taken over with a compare-and-set.
 */
async function claim(s: AccountsService, c: Claim, userId: string, now: Date): Promise<boolean> {
  const store = s.adapters.store;
  const row = { [c.column]: c.value, user_id: userId, claimed: now };
  const inserted = await store.insert(c.table, row, { ifNotExists: true });
  if (inserted.applied) return true;
  const current = await store.get(c.table, { [c.column]: c.value });
  if (!current) return (await store.insert(c.table, row, { ifNotExists: true })).applied;
  const staleBefore = now.getTime() - (s.options.confirmationTtlSeconds + 3600) * 1000;
  if (!(current.claimed instanceof Date) || current.claimed.getTime() > staleBefore) return false;
  const owner = await s.repo.user(String(current.user_id));
  if (owner && owner.accountStatus !== 'C') return false;
  const taken = await store.update(
    c.table,
    { [c.column]: c.value },
    { user_id: userId, claimed: now },
    { if: { user_id: current.user_id } },
  );
  return taken.applied;
}

async function release(s: AccountsService, c: Claim, userId: string): Promise<void> {
  await s.adapters.store.delete(c.table, { [c.column]: c.value }, { if: { user_id: userId } });
}

async function openInvitation(s: AccountsService, token: string, email: string): Promise<Row> {
  const row = await s.adapters.store.get(TABLES.invitations, { token_hash: hashToken(token) });
  if (!row || row.state !== 'PENDING' || (row.expires_at as Date).getTime() <= Date.now())
    throw invalidInvitation();
  if (String(row.email) !== email) {
    throw new AppError(
      'ACCOUNT.INVITATION_EMAIL_MISMATCH',
      'The invitation was sent to another email address.',
      {
        kind: 'FORBIDDEN',
        fields: [{ path: 'email', message: 'Must be the address the invitation was sent to' }],
      },
    );
  }
  return row;
}

/**
 * Creates an unconfirmed (`C`) account and mails its confirmation link. The tenant is decided now (a new
 * one of the user's own, or the inviting one) but created, with the membership, only at confirmation.
 * Whatever fails after the claims releases them again.
 */
export async function signUp(s: AccountsService, input: SignUpInput): Promise<{ id: string }> {
  // The endpoint's schema has done this already; callers that are not the endpoint get the same rule.
  const username = canonicalUsername(input.username);
  if (username === undefined) {
    throw invalid('ACCOUNT.INVALID_USERNAME', 'The username is not acceptable.', [
      { path: 'username', message: USERNAME_MESSAGE },
    ]);
  }
  const email = input.email.toLowerCase();
  const weak = passwordProblem(input.password, { username, email });
  if (weak) throw invalid('ACCOUNT.WEAK_PASSWORD', 'The password is not acceptable.', [weak]);
  const invitation = input.invitation ? await openInvitation(s, input.invitation, email) : undefined;
  if (invitation) await assertSeatLeft(s, String(invitation.tenant_id));

  const passwordHash = await hashPassword(input.password, s.options.hashing, s.hashPool.derive);
  const userId = randomUUID();
  const now = new Date();
  const usernameClaim = { table: TABLES.usernames, column: 'username', value: username };
  const emailClaim = { table: TABLES.emails, column: 'email', value: email };
  if (!(await claim(s, usernameClaim, userId, now))) {
    throw taken('ACCOUNT.USERNAME_TAKEN', 'This username is taken.', {
      path: 'username',
      message: 'Already taken',
    });
  }
  const claimed: Claim[] = [usernameClaim];
  let invitationUsed = false;
  try {
    if (!(await claim(s, emailClaim, userId, now))) {
      throw taken('ACCOUNT.EMAIL_TAKEN', 'An account with this email exists.', {
        path: 'email',
        message: 'Already registered',
      });
    }
    claimed.push(emailClaim);
    if (invitation) {
      const used = await s.adapters.store.update(
        TABLES.invitations,
        { token_hash: invitation.token_hash },
        { state: 'USED', used_by: userId },
        { if: { state: 'PENDING' }, ttlSeconds: remainingSeconds(invitation) },
      );
      if (!used.applied) throw invalidInvitation();
      invitationUsed = true;
    }
    await s.adapters.store.insert(TABLES.users, {
      user_id: userId,
      tenant_id: invitation ? String(invitation.tenant_id) : randomUUID(),
      username,
      email,
      first_name: input.firstName,
      last_name: input.lastName,
      password_hash: passwordHash,
      account_status: 'C',
      role: (invitation ? invitation.role : 'owner') as Role,
      presence: 'OFFLINE',
      settings: {},
      ...(invitation ? { invited_by: invitation.invited_by } : {}),
      sessions_valid_after: 0,
      created: now,
      updated: now,
    });
    const token = newSecret();
    const ttl = s.options.confirmationTtlSeconds;
    await s.adapters.store.insert(
      TABLES.confirmations,
      {
        token_hash: hashToken(token),
        user_id: userId,
        state: 'PENDING',
        created: now,
        expires_at: new Date(now.getTime() + ttl * 1000),
      },
      { ttlSeconds: ttl },
    );
    const link = `${s.config.publicUrl}/v1/account/confirm?token=${token}`;
    await s.adapters.mailer.send(confirmationMail(email, input.firstName, link, Math.round(ttl / 3600)));
    return { id: userId };
  } catch (error) {
    await undo(s, { userId, claimed, invitation: invitationUsed ? invitation : undefined });
    throw error;
  }
}

const taken = (code: string, message: string, field: FieldError) =>
  new AppError(code, message, { kind: 'CONFLICT', fields: [field] });

/** Writes to a row that expires carry its remaining lifetime, or the write would make the row permanent. */
export const remainingSeconds = (row: Row) =>
  Math.max(1, Math.ceil(((row.expires_at as Date).getTime() - Date.now()) / 1000));

async function undo(
  s: AccountsService,
  what: { userId: string; claimed: readonly Claim[]; invitation?: Row | undefined },
) {
  const steps = [
    ...what.claimed.map((c) => release(s, c, what.userId)),
    s.adapters.store.delete(TABLES.users, { user_id: what.userId }),
    ...(what.invitation
      ? [
          s.adapters.store.update(
            TABLES.invitations,
            { token_hash: what.invitation.token_hash },
            { state: 'PENDING' },
            { if: { used_by: what.userId }, ttlSeconds: remainingSeconds(what.invitation) },
          ),
        ]
      : []),
  ];
  const results = await Promise.allSettled(steps);
  for (const r of results) {
    if (r.status === 'rejected')
      s.logger.warn({ err: r.reason, userId: what.userId }, 'sign-up cleanup step failed');
  }
}

/**
 * Consumes a confirmation token: creates the user's tenant (or joins the inviting one), activates the
 * account, then marks the token used with a compare-and-set. The writes before it are idempotent, so a
 * concurrent double confirmation leaves one tenant and one membership, and only one request succeeds.
 */
export async function confirm(s: AccountsService, token: string): Promise<{ id: string }> {
  const store = s.adapters.store;
  const hash = hashToken(token);
  const row = await store.get(TABLES.confirmations, { token_hash: hash });
  const refused = invalid(
    'ACCOUNT.CONFIRMATION_INVALID',
    'The confirmation link is unknown, expired or already used.',
    [{ path: 'token', message: 'Unknown, expired or already used' }],
  );
  if (!row || row.state !== 'PENDING' || (row.expires_at as Date).getTime() <= Date.now()) throw refused;
  const user = await s.repo.user(String(row.user_id));
  if (!user) throw refused;
  const now = new Date();
  if (user.accountStatus === 'C') {
    if (user.role === 'owner')
      await s.repo.createTenant(user.tenantId, `${user.firstName}'s workspace`, user.userId, now);
    // Refused when the plan's last seat went to someone else first: nothing is written, the token stays.
    await takeSeat(s, user.tenantId, user.userId);
    await s.repo.addMember(user.tenantId, user.userId, user.role, now);
    await s.repo.updateUser(user.userId, { account_status: 'A' });
  }
  const used = await store.update(
    TABLES.confirmations,
    { token_hash: hash },
    { state: 'USED' },
    { if: { state: 'PENDING' }, ttlSeconds: remainingSeconds(row) },
  );
  if (!used.applied) throw refused;
  const fact = { domain: 'accounts', version: 1, tenantId: user.tenantId, at: now } as const;
  await s.events()?.emit([
    ...(user.role === 'owner'
      ? [
          {
            ...fact,
            type: 'tenant.created',
            data: { name: `${user.firstName}'s workspace`, ownerId: user.userId },
          },
        ]
      : []),
    { ...fact, type: 'user.confirmed', data: { userId: user.userId } },
    { ...fact, type: 'member.joined', data: { userId: user.userId, role: user.role } },
  ]);
  const notify = s.notify();
  if (user.invitedBy && notify) {
    const tenant = await s.repo.tenant(user.tenantId);
    await notify.send([
      {
        tenantId: user.tenantId,
        userId: user.invitedBy,
        type: 'invitation.accepted',
        title: 'Invitation accepted',
        message: `${user.firstName} ${user.lastName} (${user.username}) joined ${tenant?.name ?? 'your workspace'}.`,
        data: { userId: user.userId, username: user.username },
        dedupeKey: `invitation.accepted:${user.userId}`,
      },
    ]);
  }
  return { id: user.userId };
}
