import { z } from 'zod';
import { defineEndpoint, reply, type AnyEndpoint } from '../../../http/endpoint.ts';
import { clientAddress } from '../../../http/middleware.ts';
import { invalid, notFound } from '../../../lib/errors.ts';
import * as S from '../api-schemas.ts';
import { assertCaller, callerOf } from '../../../http/auth.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../passwords.ts';
import type { Settings } from '../repo.ts';
import type { AccountsService } from '../service.ts';
import { confirm, signUp } from '../signup.ts';
import { profileView } from '../views.ts';

/** A page for the mailed link: confirming takes a deliberate POST, so link scanners cannot confirm. */
const confirmPage = (token: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Confirm your Dojo account</title></head>
<body><h1>Confirm your Dojo account</h1>
<form method="post" action="/v1/account/confirm"><input type="hidden" name="token" value="${token}">
<button type="submit">Confirm my account</button></form></body></html>`;

export function accountEndpoints(s: AccountsService): AnyEndpoint[] {
  const notCallerDoc = S.err("A userId or tenantId that is not the caller's (AUTH.NOT_CALLER)");

  const create = defineEndpoint({
    method: 'post',
    path: '/v1/account',
    summary: 'Sign up',
    description:
      'Creates an unconfirmed account (status C) and mails a confirmation link, valid once for 24 hours. Without ' +
      'an invitation the account gets a workspace of its own (FREE plan) as owner once confirmed; with one, it ' +
      'joins the inviting tenant with the invited role. The invitation is bound to the invited email: another ' +
      'email is refused with 403. Usernames are case-insensitive (trimmed and stored lower-case). Sign-ups are ' +
      'throttled per client address (429 with Retry-After); when password hashing is saturated the answer is 503 ' +
      'with Retry-After.',
    tags: ['accounts'],
    body: S.signUpBody,
    responses: {
      201: { description: 'Created; confirm through the mailed link', schema: S.signUpResponse },
      400: S.err('Invalid input, a too common password, or an unknown/expired/used invitation'),
      402: S.err(
        "With an invitation: the tenant's plan has no seat left (TENANT.MEMBER_LIMIT, naming limits.members)",
      ),
      403: S.err('The invitation was sent to another email (ACCOUNT.INVITATION_EMAIL_MISMATCH)'),
      409: S.err('Username or email already registered'),
      429: S.err('Too many sign-ups from this address (ACCOUNT.TOO_MANY_SIGN_UPS); see Retry-After'),
      503: S.err('Too many password hashes at once (ACCOUNT.BUSY), or mail failed; see Retry-After'),
    },
    handler: async ({ body, req }) => {
      // Before any work: every attempt with a valid body counts, so neither hashing nor the 409s that tell
      // taken usernames and emails can be had in bulk from one address.
      await s.throttle.admitSignUp(clientAddress(req));
      const { id } = await signUp(s, body);
      return reply(201, { id, accountStatus: 'C' });
    },
  });

  const confirmPost = defineEndpoint({
    method: 'post',
    path: '/v1/account/confirm',
    summary: 'Confirm an account',
    description:
      'Consumes the mailed token (single use, 24 h) and activates the account (status A). An invited account ' +
      "takes a seat of the tenant's plan now: when another took the last one first, the answer is 402 and the " +
      'token stays usable, once the plan has room.',
    tags: ['accounts'],
    body: S.confirmBody,
    acceptsForm: true,
    responses: {
      200: { description: 'Confirmed', schema: S.confirmResponse },
      400: S.err('Unknown, expired or already used token'),
      402: S.err("The tenant's plan has no seat left (TENANT.MEMBER_LIMIT, naming limits.members)"),
    },
    handler: async ({ body }) => {
      const { id } = await confirm(s, body.token);
      return reply(200, { id, accountStatus: 'A' });
    },
  });

  const confirmGet = defineEndpoint({
    method: 'get',
    path: '/v1/account/confirm',
    summary: 'The page the confirmation mail links to',
    description: 'An HTML page whose button POSTs the token; opening the link alone changes nothing.',
    tags: ['accounts'],
    query: z.strictObject({ token: S.secretToken }),
    responses: {
      // The body is sent raw, so the schema (a string of HTML) only documents it.
      200: { description: 'An HTML page', contentType: 'text/html', schema: z.string().optional() },
      400: S.err('Malformed token'),
    },
    handler: ({ query }) => ({
      status: 200,
      raw: { contentType: 'text/html; charset=utf-8', text: confirmPage(query.token) },
    }),
  });

  const getProfile = defineEndpoint({
    method: 'get',
    path: '/v1/account/profile',
    summary: "The caller's profile",
    tags: ['accounts'],
    auth: true,
    responses: { 200: { description: 'The profile', schema: S.profile } },
    handler: async ({ res }) => {
      const user = await s.repo.user(callerOf(res).userId);
      if (!user) throw notFound('ACCOUNT.NOT_FOUND', 'No such account.');
      return reply(200, profileView(s, user));
    },
  });

  const updateProfile = defineEndpoint({
    method: 'post',
    path: '/v1/account/profile',
    summary: "Update the caller's names and settings",
    description: 'Settings are merged into the stored ones; a null value removes a setting.',
    tags: ['accounts'],
    auth: true,
    body: S.profileBody,
    responses: {
      200: { description: 'The updated profile', schema: S.profile },
      400: S.err('Invalid input'),
      403: notCallerDoc,
    },
    handler: async ({ body, res }) => {
      const caller = callerOf(res);
      assertCaller(caller, body);
      const user = await s.repo.user(caller.userId);
      if (!user) throw notFound('ACCOUNT.NOT_FOUND', 'No such account.');
      const set: Record<string, unknown> = {};
      if (body.firstName !== undefined) set.first_name = body.firstName;
      if (body.lastName !== undefined) set.last_name = body.lastName;
      if (body.settings !== undefined) {
        const merged: Record<string, string | number | boolean | null> = {
          ...user.settings,
          ...body.settings,
        };
        const settings = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== null)) as Settings;
        if (Object.keys(settings).length > 50) {
          throw invalid('ACCOUNT.TOO_MANY_SETTINGS', 'At most 50 settings.', [
            { path: 'settings', message: 'At most 50 settings' },
          ]);
        }
        set.settings = settings;
      }
      if (Object.keys(set).length > 0) await s.repo.updateUser(user.userId, set);
      const updated = await s.repo.user(user.userId);
      return reply(200, profileView(s, updated ?? user));
    },
  });

  const changePassword = defineEndpoint({
    method: 'post',
    path: '/v1/account/password',
    summary: "Change the caller's password",
    description: 'Ends every session of the account, this one included: sign in again with the new password.',
    tags: ['accounts'],
    auth: true,
    body: S.passwordBody,
    responses: {
      200: { description: 'Changed; every session has ended', schema: S.success },
      400: S.err('Wrong current password, or a new password that is not acceptable'),
      429: S.err('Too many failed attempts; see Retry-After'),
      503: S.err('Too many password hashes at once (ACCOUNT.BUSY); see Retry-After'),
    },
    handler: async ({ body, req, res }) => {
      const caller = callerOf(res);
      const user = await s.repo.user(caller.userId);
      if (!user) throw notFound('ACCOUNT.NOT_FOUND', 'No such account.');
      const address = clientAddress(req);
      await s.throttle.check(user.username, address);
      if (!(await verifyPassword(body.currentPassword, user.passwordHash, s.hashPool.derive))) {
        await s.throttle.failure(user.username, address);
        throw invalid('ACCOUNT.WRONG_PASSWORD', 'The current password is incorrect.', [
          { path: 'currentPassword', message: 'Incorrect' },
        ]);
      }
      const weak = passwordProblem(
        body.newPassword,
        { username: user.username, email: user.email },
        'newPassword',
      );
      if (weak) throw invalid('ACCOUNT.WEAK_PASSWORD', 'The new password is not acceptable.', [weak]);
      await s.endSessions(user.userId, {
        password_hash: await hashPassword(body.newPassword, s.options.hashing, s.hashPool.derive),
      });
      return reply(200, { success: true });
    },
  });

  return [create, confirmPost, confirmGet, getProfile, updateProfile, changePassword];
}
