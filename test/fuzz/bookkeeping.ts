/**
 * Keeps the world usable while the fuzzer changes it: expendable POCs and chat messages that a request removed
 * are made again, and the secrets a request rotated (a password, a refresh token, a picture id) are followed,
 * so that later cases still name something real.
 */
import { parseJson } from './checks.ts';
import type { Sent } from './request.ts';
import type { Operation } from './schema.ts';
import { PASSWORD_OP, type Variant } from './variants.ts';
import type { WireResult } from './wire.ts';
import type { World } from './world.ts';
import { createPoc, writeMessage } from './world-resources.ts';

/** After one answer: only a 2xx changed anything. */
export async function bookkeeping(
  w: World,
  op: Operation,
  variant: Variant,
  sent: Sent,
  result: WireResult,
): Promise<void> {
  if (!result.ok) return;
  const { status, text } = result.response;
  if (status < 200 || status >= 300) return;
  const caller = variant.caller;
  const body = parseJson(text) as Record<string, unknown> | undefined;
  if (op.key === 'DELETE /v1/pocs/{id}' && caller) {
    for (const [label, pocs] of w.pocs) {
      const i = pocs.fodder.findIndex((id) => sent.wire.path.toLowerCase().includes(id));
      const owner = [w.ownerA, w.memberA, w.ownerB].find((a) => a.label === label);
      if (i >= 0 && owner) pocs.fodder[i] = await createPoc(w, owner);
    }
  }
  if (op.key === 'POST /v1/user/messages' && typeof body?.removed === 'number' && body.removed > 0) {
    for (const m of w.fodderMessages) {
      if (sent.text.includes(m.id)) m.id = await writeMessage(w, w.dojosA[0] as string, m.author);
    }
  }
  if (op.key === PASSWORD_OP && caller) {
    const account = [w.pwA, w.pwB].find((a) => a.label === caller.label);
    const next = (sent.value as { newPassword?: unknown } | undefined)?.newPassword;
    if (account && typeof next === 'string') {
      account.password = next;
      await w.relogin(account);
    }
  }
  if (op.key === 'POST /v1/oauth/token' && typeof body?.refresh_token === 'string') {
    const i = w.refreshTokens.findIndex((t) => sent.text.includes(t));
    if (i >= 0) w.refreshTokens[i] = body.refresh_token;
  }
  if (op.key === 'POST /v1/user/picture' && caller && typeof body?.picture === 'string') {
    const id = /picture\/([A-Za-z0-9_-]{22})/.exec(body.picture)?.[1];
    if (id) w.pictureIds.set(caller.userId, id);
  }
}
