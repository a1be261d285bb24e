import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { invalid } from '../../lib/errors.ts';

/** Where a page ended: the last POC returned, in the (created DESC, id ASC) order of every listing. */
export interface Position {
  readonly created: number;
  readonly id: string;
}

const MAC_BYTES = 16;
const SHAPE = /^[A-Za-z0-9_-]{1,200}\.[A-Za-z0-9_-]{22}$/;
const PAYLOAD = /^(\d{1,15}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export const badCursor = () =>
  invalid('POC.BAD_CURSOR', 'The cursor is malformed, tampered with, or belongs to another search.', [
    { path: 'query.cursor', message: 'Invalid cursor; start again without one' },
  ]);

/**
 * Opaque, tamper-evident keyset cursors. The MAC covers the position and the search it came from (the
 * caller and the filters, not the page size), so a cursor replayed with other filters, by another user,
 * or edited, is refused with 400 instead of silently paging something else.
 */
export class CursorCodec {
  readonly #key: KeyObject;

  constructor(options: { readonly secret: Buffer }) {
    // A key of its own, even when the secret is shared with URL signing; imported once, not per request.
    this.#key = createSecretKey(createHmac('sha256', options.secret).update('dojo/poc-cursor/v1').digest());
  }

  encode(position: Position, scope: string): string {
    const payload = Buffer.from(`${position.created}:${position.id}`).toString('base64url');
    return `${payload}.${this.#mac(payload, scope).toString('base64url')}`;
  }

  decode(cursor: string, scope: string): Position {
    if (!SHAPE.test(cursor)) throw badCursor();
    const [payload = '', mac = ''] = cursor.split('.');
    const given = Buffer.from(mac, 'base64url');
    const expected = this.#mac(payload, scope);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw badCursor();
    const match = PAYLOAD.exec(Buffer.from(payload, 'base64url').toString('utf8'));
    const created = Number(match?.[1]);
    if (!match?.[2] || !Number.isSafeInteger(created)) throw badCursor();
    return { created, id: match[2] };
  }

  #mac(payload: string, scope: string): Buffer {
    return createHmac('sha256', this.#key).update(`${payload}\n${scope}`).digest().subarray(0, MAC_BYTES);
  }
}
