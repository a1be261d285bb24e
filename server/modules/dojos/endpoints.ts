import { defineEndpoint, reply, type AnyEndpoint, type ResponseSpec } from '../../http/endpoint.ts';
import { callerOf } from '../../http/auth.ts';
import * as S from './api-schemas.ts';
import type { DojosService } from './service.ts';
const unknown = S.err(
  "No such dojo among the caller's (another tenant's or a dojo the caller is not in is never revealed)",
);

export function dojoEndpoints(s: DojosService): AnyEndpoint[] {
  const common = { tags: ['dojos'], auth: true } as const;

  const create = defineEndpoint({
    ...common,
    method: 'post',
    path: '/v1/dojo/create',
    summary: 'Schedule a dojo',
    description:
      "The caller hosts and is a member. Every id in `members` must be an active user of the caller's " +
      'tenant: otherwise 400 DOJO.UNKNOWN_MEMBER naming each one (`errors[].path` is `members.<index>`).',
    body: S.createBody,
    responses: {
      201: { description: 'Scheduled', schema: S.createResponse },
      400: S.err('Invalid input, or a member who is not an active user of your workspace'),
    },
    handler: async ({ body, res }) => reply(201, { dojoId: await s.create(callerOf(res), body) }),
  });

  const list = defineEndpoint({
    ...common,
    method: 'get',
    path: '/v1/dojos',
    summary: "The caller's dojos by date",
    description:
      'Dojos the caller is a member of with `from <= dojoDate <= to`, earliest first (at most 500).',
    query: S.listQuery,
    responses: {
      200: { description: 'The dojos', schema: S.listResponse },
      400: S.err('Invalid range'),
    },
    handler: async ({ query, res }) => {
      const dojos = await s.list(callerOf(res), query.from, query.to);
      return reply(200, {
        dojos: dojos.map((d) => ({
          dojoId: d.dojoId,
          subject: d.subject,
          dojoDate: d.dojoDate.toISOString(),
          hostId: d.hostId,
        })),
      });
    },
  });

  const get = defineEndpoint({
    ...common,
    method: 'get',
    path: '/v1/dojos/:dojoId',
    summary: 'A dojo the caller is a member of',
    description:
      '`status` is LIVE while its room runs on some node, ENDED once a room has opened and closed, SCHEDULED ' +
      'before. `recordings`: newest first, each with its status, and once READY its MP4 `url`, `durationSec` ' +
      'and a chapter per pilot turn.',
    params: S.dojoParams,
    responses: {
      200: { description: 'The dojo', schema: S.dojoResponse },
      400: S.err('The id is not a UUID'),
      404: unknown,
    },
    handler: async ({ params, res }) => {
      const { dojo, members, status, recordings } = await s.details(callerOf(res), params.dojoId);
      return reply(200, {
        dojoId: dojo.dojoId,
        subject: dojo.subject,
        dojoDate: dojo.dojoDate.toISOString(),
        hostId: dojo.hostId,
        members,
        status,
        created: dojo.created.toISOString(),
        recordings,
      });
    },
  });

  const recordingRefusal = (on: boolean): Record<number, ResponseSpec> =>
    on ? { 402: S.err("The tenant's plan does not include recording (DOJO.RECORDING_NOT_IN_PLAN)") } : {};
  const recording = (on: boolean) =>
    defineEndpoint({
      ...common,
      method: 'post',
      path: on ? '/v1/dojo/start' : '/v1/dojo/stop',
      summary: on ? 'Start recording the live dojo' : 'Stop recording the live dojo',
      description:
        "Host only (the room's current host). Reaches the dojo's live room on whichever node runs it and flips " +
        'its `recording` state. 409 DOJO.NOT_LIVE when no room is open. ' +
        (on
          ? 'Records every published track and the editor, chat and rotations until stop (starting again while ' +
            'recording is a no-op); the running recording is listed by GET /v1/dojos/{dojoId}.'
          : 'Stores the last seconds and queues the MP4 (a grid of the video, the audio mixed, a chapter per ' +
            'pilot turn); `recording.ready` tells the members when it is done.'),
      body: S.dojoIdBody,
      responses: {
        200: { description: 'Done', schema: on ? S.startResponse : S.stopResponse },
        ...recordingRefusal(on),
        400: S.err('Invalid input'),
        403: S.err('Not the host (DOJO.NOT_HOST)'),
        404: unknown,
        409: S.err('The dojo has no live room (DOJO.NOT_LIVE)'),
        503: S.err('The live room did not answer in time'),
      },
      handler: async ({ body, res }) => {
        const recordingId = await s.setRecording(callerOf(res), body.dojoId, on);
        // The contract's start answer is `{success: true}`; the running recording is in GET /v1/dojos/{id}.
        return reply(200, on ? { success: true } : { success: true, recordingId });
      },
    });

  const replay = defineEndpoint({
    ...common,
    method: 'get',
    path: '/v1/dojos/:dojoId/replay',
    summary: "A recording's timeline: the code, chat and rotations on its clock",
    description:
      'Events in order, `at` in seconds from the start of the recording, so a client replays the editor ' +
      'beside the video: `code` (the whole buffer), `chat`, `rotate`. Members only.',
    params: S.dojoParams,
    query: S.replayQuery,
    responses: {
      200: { description: 'The timeline', schema: S.replayResponse },
      400: S.err('Invalid id'),
      404: S.err("No such dojo among the caller's, or no such recording (DOJO.NO_RECORDING)"),
    },
    handler: async ({ params, query, res }) =>
      reply(200, await s.replay(callerOf(res), params.dojoId, query.recordingId)),
  });

  const messages = defineEndpoint({
    ...common,
    method: 'get',
    path: '/v1/user/messages',
    summary: "A dojo's chat",
    description:
      'Active (not removed) messages of the dojo `roomId`, oldest first, optionally of one author; the newest ' +
      '1000 at most. The caller must be a member of the dojo (404 otherwise).',
    query: S.messagesQuery,
    responses: {
      200: { description: 'The messages', schema: S.messagesResponse },
      400: S.err('Invalid query'),
      404: unknown,
    },
    handler: async ({ query, res }) => {
      const list = await s.messages(callerOf(res), query.roomId, query.userId);
      return reply(200, {
        messages: list.map((m) => ({
          messageId: m.messageId,
          roomId: m.dojoId,
          userId: m.userId,
          text: m.text,
          created: m.created.toISOString(),
        })),
      });
    },
  });

  const remove = defineEndpoint({
    ...common,
    method: 'post',
    path: '/v1/user/messages',
    summary: 'Remove chat messages',
    description:
      "Soft delete (status R): removed messages vanish from reads and from the live room's chat. Only the " +
      'author, or an owner or admin of the tenant, may remove one (403 DOJO.NOT_AUTHOR, nothing removed). ' +
      'Unknown, invisible or already removed ids are skipped; `removed` counts the others.',
    body: S.removeBody,
    responses: {
      200: { description: 'Removed', schema: S.removeResponse },
      400: S.err('Invalid input'),
      403: S.err('A message of someone else (DOJO.NOT_AUTHOR)'),
    },
    handler: async ({ body, res }) =>
      reply(200, { success: true, removed: await s.remove(callerOf(res), body.messageIds) }),
  });

  return [create, list, get, replay, recording(true), recording(false), messages, remove];
}
