/**
 * Requests outside any operation's cases, sent once per full run: every method the document does not list
 * for a path, and requests the HTTP parser refuses before the application sees them. Both are held to the
 * general rules, so that the router's and the parser's answers are problem+json like the handlers'.
 */
import { generalChecks } from './checks.ts';
import { Ref } from './model.ts';
import type { Sent } from './request.ts';
import type { Fuzzer } from './runner.ts';
import { refKindOf, type Operation } from './schema.ts';
import { preview } from './strings.ts';
import type { Variant } from './variants.ts';
import type { WireRequest } from './wire.ts';

/**
 * Every path with the methods the document does not list for it (405 with Allow is the expected answer;
 * whatever it is, it obeys the general rules and is never a 2xx).
 */
export async function methodSweep(fuzzer: Fuzzer, ops: readonly Operation[]): Promise<void> {
  const { world } = fuzzer;
  const byPath = new Map<string, Operation[]>();
  for (const op of ops) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op]);
  for (const [path, documented] of byPath) {
    const params = documented[0]?.pathParams ?? [];
    // Real ids of ownerA's, so that a 404 for a missing resource cannot hide what the method would do.
    const filled = path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
      const kind = params.find((p) => p.name === name) ? refKindOf(name) : 'anyId';
      return world.resolve(new Ref(kind, 0), { mode: 'right', caller: world.ownerA, mutating: false });
    });
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      if (documented.some((op) => op.method === method)) continue;
      const op: Operation = {
        ...(documented[0] as Operation),
        key: `${method} ${path}`,
        method,
        responses: {},
      };
      const variants: Variant[] = [
        { mode: 'none', label: 'none', authorization: undefined, caller: undefined },
        {
          mode: 'right',
          label: 'right (ownerA)',
          authorization: `Bearer ${world.ownerA.token}`,
          caller: world.ownerA,
        },
      ];
      for (const variant of variants) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (variant.authorization) headers.authorization = variant.authorization;
        const wire: WireRequest = { method, path: filled, headers, body: Buffer.from('{}') };
        const sent: Sent = { wire, value: {}, text: `${filled}\n{}` };
        const result = await fuzzer.send(op, variant, sent);
        const findings = generalChecks(op, result, sent.text);
        if (result.ok && result.response.status < 300) {
          findings.push({
            reason: 'a method the document does not list answered 2xx',
            detail: preview(result.response.text, 200),
          });
        }
        fuzzer.keep({ op, label: 'method-sweep', token: variant.label, sent, result, run: 0 }, findings);
      }
    }
  }
}

/**
 * Requests the HTTP parser refuses before the application sees them (a request line or headers over Node's
 * 16 KB limit): their 4xx answers are held to the same problem+json rule as the application's.
 */
export async function transportProbes(fuzzer: Fuzzer): Promise<void> {
  const { world } = fuzzer;
  const op: Operation = {
    key: '(transport) GET /v1/pocs',
    method: 'GET',
    path: '/v1/pocs',
    auth: true,
    pathParams: [],
    queryParams: [],
    body: undefined,
    responses: {},
  };
  const variant: Variant = {
    mode: 'right',
    label: 'right (ownerA)',
    authorization: `Bearer ${world.ownerA.token}`,
    caller: world.ownerA,
  };
  const authorization = variant.authorization ?? '';
  const probes: [string, WireRequest][] = [
    [
      'request line over 16 KB',
      { method: 'GET', path: `/v1/pocs?name=${'a'.repeat(20_000)}`, headers: { authorization } },
    ],
    [
      'a header over 16 KB',
      { method: 'GET', path: '/v1/pocs', headers: { authorization, 'x-fuzz': 'a'.repeat(20_000) } },
    ],
  ];
  for (const [label, wire] of probes) {
    const sent: Sent = { wire, value: undefined, text: wire.path };
    const result = await fuzzer.send(op, variant, sent);
    fuzzer.keep(
      { op, label, token: variant.label, sent, result, run: 0 },
      generalChecks(op, result, sent.text),
    );
  }
}
