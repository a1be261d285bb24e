import type { IncomingMessage, ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER } from '../../protocol/http.ts';

/** Request headers a browser app may send cross-origin (besides the CORS-safelisted ones). */
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', REQUEST_ID_HEADER].join(', ');
/** Response headers a cross-origin app may read. */
const EXPOSED_HEADERS = [REQUEST_ID_HEADER, 'Retry-After', 'Location', 'ETag', 'WWW-Authenticate'].join(', ');
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/**
 * Which browser origins may call the API (`CORS_ORIGINS`; by default the server's own). An origin on the
 * list gets exactly its origin back, never `*` and never a reflection of an unlisted one; an origin not on
 * it gets no CORS header at all, so the browser keeps the response from the calling page. Requests without
 * `Origin` (mobile apps, servers, same-origin GETs) are not CORS and pass untouched.
 */
export class CorsPolicy {
  readonly #origins: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    this.#origins = new Set(origins);
  }

  /** Whether a request's `Origin` (absent: not a browser's cross-site request) may use the API. */
  allows(origin: string | undefined): boolean {
    return origin === undefined || this.#origins.has(origin);
  }

  /** Grants an allowed origin its headers on an actual (non-preflight) response. */
  apply(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (origin === undefined) return;
    res.setHeader('Vary', 'Origin');
    if (!this.#origins.has(origin)) return;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  }

  /**
   * A CORS preflight (`OPTIONS` with `Access-Control-Request-Method`) from an allowed origin, for a path
   * served with `allowed` methods: answered 204 with the grant. Anything else is left to the router's own
   * OPTIONS answer (204 with `Allow`, or 404), without CORS headers.
   */
  preflight(req: IncomingMessage, res: ServerResponse, allowed: readonly string[]): boolean {
    const origin = req.headers.origin;
    const method = req.headers['access-control-request-method'];
    if (req.method !== 'OPTIONS' || origin === undefined || method === undefined) return false;
    if (!this.#origins.has(origin) || allowed.length === 0) return false;
    res.statusCode = 204;
    res.setHeader('Access-Control-Allow-Methods', allowed.join(', '));
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE_SECONDS);
    res.setHeader('Allow', [...allowed, 'OPTIONS'].join(', '));
    res.end();
    return true;
  }
}
