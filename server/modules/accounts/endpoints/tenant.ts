import { defineEndpoint, reply, type AnyEndpoint } from '../../../http/endpoint.ts';
import type { Middleware } from '../../../http/types.ts';
import { notFound } from '../../../lib/errors.ts';
import * as S from '../api-schemas.ts';
import { authOf, requireRole } from '../auth-middleware.ts';
import type { AccountsService } from '../service.ts';
import { invite, membersWithUsers } from '../tenants.ts';

export function tenantEndpoints(s: AccountsService, auth: Middleware): AnyEndpoint[] {
  const unauthenticated = S.err('Missing, invalid, expired or revoked access token');
  const adminOnly = S.err("Only the tenant's owner or admins (AUTH.ROLE_REQUIRED)");
  const managers = requireRole('owner', 'admin');

  const get = defineEndpoint({
    method: 'get',
    path: '/v1/tenant',
    summary: "The caller's tenant and its subscription",
    description:
      'A new workspace starts on {plan: "FREE", status: "ACTIVE", expiresAt: null, autoRenew: false}.',
    tags: ['tenants'],
    auth: true,
    before: [auth],
    responses: { 200: { description: 'The tenant', schema: S.tenantResponse }, 401: unauthenticated },
    handler: async ({ res }) => {
      const tenant = await s.repo.tenant(authOf(res).tenantId);
      if (!tenant) throw notFound('TENANT.NOT_FOUND', 'No such tenant.');
      const sub = tenant.subscription;
      return reply(200, {
        tenantId: tenant.tenantId,
        name: tenant.name,
        subscription: {
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
    auth: true,
    before: [auth, managers],
    body: S.inviteBody,
    responses: {
      201: { description: 'Invitation sent', schema: S.inviteResponse },
      400: S.err('Invalid input'),
      401: unauthenticated,
      403: adminOnly,
      409: S.err('An account with this email already exists'),
    },
    handler: async ({ body, res }) => reply(201, await invite(s, authOf(res), body)),
  });

  const members = defineEndpoint({
    method: 'get',
    path: '/v1/tenant/members',
    summary: "The members of the caller's tenant",
    description: '`status` is the presence (ONLINE/OFFLINE); `accountStatus` is A (active) or D (disabled).',
    tags: ['tenants'],
    auth: true,
    before: [auth, managers],
    responses: {
      200: { description: 'The members', schema: S.membersResponse },
      401: unauthenticated,
      403: adminOnly,
    },
    handler: async ({ res }) => {
      const list = await membersWithUsers(s, authOf(res).tenantId);
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
