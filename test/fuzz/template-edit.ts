/**
 * Reading and rewriting a case's JSON template at a path (`['members', 0]`), always on a copy: the valid case a
 * mutation starts from is shared by every mutation fast-check derives from it, so it must never change.
 */
import { Ref, type Tpl } from './model.ts';

export type Obj = { readonly [key: string]: Tpl };

/** A path into a template: object keys and array indexes. */
export type PathKey = readonly (string | number)[];

/** A plain object of the template (a Ref is an object too, but stands for a string). */
export const isObj = (t: Tpl | undefined): t is Obj =>
  t !== null && typeof t === 'object' && !Array.isArray(t) && !(t instanceof Ref);

/** The JSON type the value has once sent (a Ref resolves to a string). */
export const jsonType = (t: Tpl | undefined): string =>
  t === null ? 'null' : Array.isArray(t) ? 'array' : t instanceof Ref ? 'string' : typeof t;

/** Paths to every value in a JSON template, three levels deep at most. */
export function pathsOf(t: Tpl, depth = 0, prefix: PathKey = []): PathKey[] {
  if (depth > 3) return [];
  if (Array.isArray(t)) {
    return t.flatMap((v: Tpl, i: number) => [[...prefix, i], ...pathsOf(v, depth + 1, [...prefix, i])]);
  }
  if (isObj(t)) {
    return Object.entries(t).flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, depth + 1, [...prefix, k])]);
  }
  return [];
}

export function getAt(t: Tpl, path: PathKey): Tpl | undefined {
  let cur: Tpl | undefined = t;
  for (const k of path) {
    if (Array.isArray(cur)) cur = (cur as Tpl[])[k as number];
    else if (isObj(cur)) cur = cur[k as string];
    else return undefined;
  }
  return cur;
}

/** A copy of the template with the value at `path` replaced, or removed when `value` is undefined. */
export function setAt(t: Tpl, path: PathKey, value: Tpl | undefined): Tpl {
  if (path.length === 0) return value === undefined ? null : value;
  const [head, ...rest] = path;
  if (Array.isArray(t)) {
    const copy = [...(t as Tpl[])];
    if (value === undefined && rest.length === 0) copy.splice(head as number, 1);
    else copy[head as number] = setAt(copy[head as number] ?? null, rest, value);
    return copy;
  }
  if (isObj(t)) {
    const copy: Record<string, Tpl> = {};
    for (const [k, v] of Object.entries(t)) if (k !== head) put(copy, k, v);
    if (value !== undefined || rest.length > 0)
      put(copy, head as string, setAt(t[head as string] ?? null, rest, value));
    return copy;
  }
  return t;
}

/**
 * Sets an own property, `__proto__` included: a plain assignment would set the prototype instead, and the
 * pollution keys the body mutations add would never reach the JSON text.
 */
const put = (o: Record<string, Tpl>, key: string, value: Tpl) =>
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });

/** A copy of the object template with one more key (a non-object becomes an object of that key alone). */
export const withKey = (t: Tpl, key: string, value: Tpl): Tpl => {
  const base: Record<string, Tpl> = {};
  if (isObj(t)) for (const [k, v] of Object.entries(t)) put(base, k, v);
  return put(base, key, value);
};

/** How case labels name a path: `members.0`, or `(root)`. */
export const pathLabel = (p: PathKey) => p.join('.') || '(root)';
