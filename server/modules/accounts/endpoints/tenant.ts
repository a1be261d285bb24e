import { defineEndpoint, reply, type AnyEndpoint } from '../../../http/endpoint.ts';
import { notFound } from '../../../lib/errors.ts';
import * as S from '../api-schemas.ts';
import { callerOf } from '../../../http/auth.ts';
import type { AccountsService } from '../service.ts';
import { invite, membersWithUsers } from '../tenants.ts';

const MANAGERS = ['owner', 'admin'] as const;

export function tenantEndpoints(s: AccountsService): AnyEndpoint[] {
  const adminOnly = S.err("Only the tenant's owner or admins (AUTH.ROLE_REQUIRED)");

  const get = defineEndpoint({
    method: 'get',
    path: '/v1/tenant',
    summary: "The caller's tenant and its subscription",
    description:
      'A new workspace starts on {plan: "FREE", status: "ACTIVE", expiresAt: null, autoRenew: false}.',
    tags: ['tenants'],
    auth: true,
    responses: { 200: { description: 'The tenant', schema: S.tenantResponse } },
    handler: async ({ res }) => {
      const tenant = await s.repo.tenant(callerOf(res).tenantId);
      if (!tenant) throw notFound('TENANT.NOT_FOUND', 'No such tenant.');
      // The billing module owns the subscription; without one every tenant is on its row's (FREE) plan.
      const plan = await s.entitlements()?.of(tenant.tenantId);
      const sub = tenant.subscription;
      return reply(200, {
        tenantId: tenant.tenantId,
        name: tenant.name,
        subscription: plan?.subscription ?? {
          plan: sub.plan,
          status: sub.status,
          expiresAt: sub.expiresAt ? sub.expiresAt.toISOString() : null,
          autoRenew: sub.autoRenew,
        },
      });
    },
  });

  const invitations = defineEndpoint({
    method: 'post',
    path: '/v1/tenant/invitations',
    summary: "Invite someone into the caller's tenant",
    description:
      'Mails a single-use link (`/signup?invitation=<token>`, valid 7 days) bound to the email. Signing up with it ' +
      'joins this tenant with the given role (default member).',
    tags: ['tenants'],
    auth: { roles: MANAGERS },
    body: S.inviteBody,
    responses: {
      201: { description: 'Invitation sent', schema: S.inviteResponse },
      400: S.err('Invalid input'),
      402: S.err("The plan's member limit is reached (TENANT.MEMBER_LIMIT, naming limits.members)"),
      403: adminOnly,
      409: S.err('An account with this email already exists'),
    },
    handler: async ({ body, res }) => reply(201, await invite(s, callerOf(res), body)),
  });

  const members = defineEndpoint({
    method: 'get',
    path: '/v1/tenant/members',
    summary: "The members of the caller's tenant",
    description: '`status` is the presence (ONLINE/OFFLINE); `accountStatus` is A (active) or D (disabled).',
    tags: ['tenants'],
    auth: { roles: MANAGERS },
    responses: {
      200: { description: 'The members', schema: S.membersResponse },
      403: adminOnly,
    },
    handler: async ({ res }) => {
      const list = await membersWithUsers(s, callerOf(res).tenantId);
      return reply(200, {
        members: list
          .filter(({ user }) => user.accountStatus !== 'C')
          .map(({ member, user }) => ({
            userId: user.userId,
            username: user.username,
            firstName: user.firstName,
            lastName: user.lastName,
            email: user.email,
            role: member.role,
            status: user.presence,
            accountStatus: user.accountStatus as 'A' | 'D',
            joinedAt: member.joined.toISOString(),
          })),
      });
    },
  });

  return [get, invitations, members];
}
