import { view } from './api-schemas.ts';
import type { CursorCodec } from './cursor.ts';
import type { PocPage } from './page-cache.ts';
import type { Owner } from './repo.ts';
import type { PageRequest, PocQuery, PocSearch, SearchPage } from './search.ts';

/**
 * Computes one page of a search, response body included: the part of a search that costs CPU (store
 * reads, decoding, JSON). `InlinePages` does it on the calling thread; `SearchThreads` hands it to
 * threads of their own.
 */
export interface PageMaker {
  page(owner: Owner, q: PocQuery, req: PageRequest, scope: string): Promise<PocPage>;
}

export interface InlinePagesOptions {
  readonly search: PocSearch;
  readonly cursors: CursorCodec;
}

/** A found page as the endpoint sends it: the views as JSON, and the signed cursor of the next page. */
export function pocPageOf(found: SearchPage, cursors: CursorCodec, scope: string): PocPage {
  const nextCursor = found.next ? cursors.encode(found.next, scope) : null;
  const json = Buffer.from(JSON.stringify({ pocs: found.pocs.map(view), nextCursor }));
  return { json, count: found.pocs.length, nextCursor, source: found.source };
}

export class InlinePages implements PageMaker {
  readonly #search: PocSearch;
  readonly #cursors: CursorCodec;

  constructor(options: InlinePagesOptions) {
    this.#search = options.search;
    this.#cursors = options.cursors;
  }

  async page(owner: Owner, q: PocQuery, req: PageRequest, scope: string): Promise<PocPage> {
    return pocPageOf(await this.#search.search(owner, q, req), this.#cursors, scope);
  }
}
