import { AppError } from '../lib/errors.ts';

/** A path template segment: a literal (kept lower-cased) or a `:name` parameter. */
type Segment = { readonly literal: string } | { readonly param: string };

interface Route<T> {
  readonly value: T;
  readonly template: string;
  readonly segments: readonly Segment[];
}

export interface RouteMatch<T> {
  readonly value: T;
  /** The template that matched, e.g. `/v1/pocs/:id` (the metrics label). */
  readonly template: string;
  readonly params: Readonly<Record<string, string>>;
}

/** The segments of a request URL's path (the query dropped, one trailing slash ignored as Express does). */
const pathParts = (url: string): string[] => {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  return (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).split('/');
};

function decodeParam(name: string, raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError('HTTP.VALIDATION', 'The request params are invalid.', {
      kind: 'INVALID',
      fields: [{ path: `params.${name}`, message: 'Malformed percent-encoding' }],
    });
  }
}

/**
 * Matches a method and a path to a route of the endpoint table, with Express's defaults (literal segments
 * case-insensitive, an optional trailing slash, parameters one non-empty segment, percent-decoded) and its
 * order (the first declared route that matches wins). Routes are grouped by method and segment count, so a
 * request only ever compares itself with the few routes of its shape. HEAD is served by GET routes.
 */
export class Router<T> {
  readonly #routes = new Map<string, Route<T>[]>();

  add(method: string, template: string, value: T): void {
    const segments: Segment[] = pathParts(template).map((part) =>
      part.startsWith(':') ? { param: part.slice(1) } : { literal: part.toLowerCase() },
    );
    const key = `${method.toUpperCase()} ${segments.length}`;
    const routes = this.#routes.get(key) ?? [];
    routes.push({ value, template, segments });
    this.#routes.set(key, routes);
  }

  /** Throws a 400 AppError when the path matches a route but a parameter is not valid percent-encoding. */
  match(method: string, url: string): RouteMatch<T> | undefined {
    const parts = pathParts(url);
    const found = this.#find(method, parts) ?? (method === 'HEAD' ? this.#find('GET', parts) : undefined);
    if (!found) return undefined;
    const params: Record<string, string> = {};
    if (found.raw) for (const [name, raw] of Object.entries(found.raw)) params[name] = decodeParam(name, raw);
    return { value: found.route.value, template: found.route.template, params };
  }

  /**
   * The methods some route serves at this path, HEAD wherever GET is (empty when no route has the path):
   * for the 405 and OPTIONS answers of a path requested with another method.
   */
  allowedMethods(url: string): string[] {
    const parts = pathParts(url);
    const methods = new Set<string>();
    for (const key of this.#routes.keys()) {
      const [method = '', count] = key.split(' ');
      if (Number(count) === parts.length && this.#find(method, parts)) methods.add(method);
    }
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  }

  /** The first route of the method whose segments match, with its parameters still percent-encoded. */
  #find(
    method: string,
    parts: readonly string[],
  ): { route: Route<T>; raw?: Record<string, string> } | undefined {
    const routes = this.#routes.get(`${method} ${parts.length}`);
    if (!routes) return undefined;
    for (const route of routes) {
      let raw: Record<string, string> | undefined;
      let i = 0;
      for (; i < parts.length; i++) {
        const part = parts[i] as string;
        const segment = route.segments[i] as Segment;
        if ('literal' in segment) {
          if (part !== segment.literal && part.toLowerCase() !== segment.literal) break;
        } else {
          if (part === '') break;
          (raw ??= {})[segment.param] = part;
        }
      }
      if (i === parts.length) return raw ? { route, raw } : { route };
    }
    return undefined;
  }
}
