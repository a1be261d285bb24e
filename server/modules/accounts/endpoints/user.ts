import { randomBytes } from 'node:crypto';
import { defineEndpoint, reply, type AnyEndpoint } from '../../../http/endpoint.ts';
import { notFound } from '../../../lib/errors.ts';
import * as S from '../api-schemas.ts';
import { assertCaller, callerOf } from '../../../http/auth.ts';
import { decodePayload, normalizePicture } from '../picture.ts';
import type { AccountsService } from '../service.ts';
import { pictureUrl, publicUserView } from '../views.ts';

/** Room for a 2 MiB image in base64 (4/3) plus a data-URL prefix and the other JSON fields. */
const PICTURE_BODY_LIMIT = 3 * 1024 * 1024;

export function userEndpoints(s: AccountsService): AnyEndpoint[] {
  const notCallerDoc = S.err("A userId or tenantId that is not the caller's (AUTH.NOT_CALLER)");
  const userNotFound = () => notFound('USER.NOT_FOUND', 'No such user in your tenant.');

  const find = defineEndpoint({
    method: 'get',
    path: '/v1/user',
    summary: "Find a user of the caller's tenant by id or username",
    description:
      'Users of other tenants are 404, as unknown ones. The email is shown to the user and to owners/admins.',
    tags: ['users'],
    auth: true,
    query: S.findUserQuery,
    responses: {
      200: { description: 'The user', schema: S.publicUser },
      400: S.err('Neither or both of userId and username, or a malformed one'),
      404: S.err("No such user in the caller's tenant"),
    },
    handler: async ({ query, res }) => {
      const caller = callerOf(res);
      const user = query.userId
        ? await s.repo.user(query.userId)
        : await s.repo.userByUsername(query.username ?? '');
      if (!user || user.tenantId !== caller.tenantId || user.accountStatus === 'C') throw userNotFound();
      return reply(200, publicUserView(s, user, caller));
    },
  });

  const status = defineEndpoint({
    method: 'post',
    path: '/v1/user/status',
    summary: "Set the caller's presence (ONLINE or OFFLINE)",
    tags: ['users'],
    auth: true,
    body: S.statusBody,
    responses: {
      200: { description: 'Updated', schema: S.success },
      400: S.err('Invalid input'),
      403: notCallerDoc,
    },
    handler: async ({ body, res }) => {
      const caller = callerOf(res);
      assertCaller(caller, body);
      await s.repo.updateUser(caller.userId, { presence: body.status });
      return reply(200, { success: true });
    },
  });

  const picture = defineEndpoint({
    method: 'post',
    path: '/v1/user/picture',
    summary: "Upload the caller's profile picture",
    description:
      'JPEG, PNG or WebP, recognised by content (the type a data URL claims is ignored), at most 2 MiB decoded and ' +
      '40 megapixels. Stored re-encoded as a 256×256 WebP without metadata. The returned URL is stable for this ' +
      'upload (cache it freely) and redirects to a short-lived signed URL of the blob store.',
    tags: ['users'],
    auth: true,
    body: S.pictureBody,
    bodyLimitBytes: PICTURE_BODY_LIMIT,
    responses: {
      200: { description: 'Stored', schema: S.pictureResponse },
      400: S.err('Not base64, or a corrupt image'),
      403: notCallerDoc,
      413: S.err('Over 2 MiB decoded (or 3 MiB of JSON), or too many pixels'),
      415: S.err('Not a JPEG, PNG or WebP image'),
    },
    handler: async ({ body, res }) => {
      const caller = callerOf(res);
      assertCaller(caller, body);
      const bytes = decodePayload(body.image, s.options.pictureMaxBytes);
      const webp = await normalizePicture(bytes, {
        maxPixels: s.options.pictureMaxPixels,
        size: s.options.pictureSize,
      });
      const user = await s.repo.user(caller.userId);
      if (!user) throw notFound('ACCOUNT.NOT_FOUND', 'No such account.');
      const pictureId = randomBytes(16).toString('base64url');
      const key = `pictures/${caller.tenantId}/${caller.userId}/${pictureId}.webp`;
      await s.adapters.blobs.put(key, webp, { contentType: 'image/webp', contentLength: webp.length });
      await s.repo.updateUser(caller.userId, { picture_id: pictureId, picture_key: key });
      if (user.pictureKey) {
        await s.adapters.blobs.delete(user.pictureKey).catch((error: unknown) => {
          s.logger.warn({ err: error, key: user.pictureKey }, 'old picture not deleted');
        });
      }
      return reply(200, { success: true, picture: pictureUrl(s, { ...user, pictureId }) });
    },
  });

  const servePicture = defineEndpoint({
    method: 'get',
    path: '/v1/user/:userId/picture/:pictureId',
    summary: 'A profile picture',
    description:
      'Redirects to a short-lived signed URL of the image. The link itself needs no token so that image tags can ' +
      "use it: it is unguessable (a random id per upload) and only handed to members of the user's tenant.",
    tags: ['users'],
    params: S.pictureParams,
    responses: {
      302: { description: 'Redirect to the image' },
      400: S.err('Malformed link'),
      404: S.err('No such picture'),
    },
    handler: async ({ params }) => {
      const user = await s.repo.user(params.userId);
      if (!user || user.pictureId !== params.pictureId || !user.pictureKey) {
        throw notFound('PICTURE.NOT_FOUND', 'No such picture.');
      }
      const ttl = s.options.pictureSignedUrlSeconds;
      const location = await s.adapters.blobs.signedUrl(user.pictureKey, { expiresInSeconds: ttl });
      return reply(302, undefined, {
        Location: location,
        'Cache-Control': `private, max-age=${Math.min(3600, Math.floor(ttl / 2))}`,
      });
    },
  });

  return [find, status, picture, servePicture];
}
