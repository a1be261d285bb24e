/**
 * Findings as the run keeps and reports them: deduplicated by operation, status and reason (one bug answers
 * the same way to hundreds of cases), each with a count and the first example in full (token, case label,
 * request, answer and the command that replays it); and the lines the run prints at the end.
 */
import type { Finding } from './checks.ts';
import type { Sent } from './request.ts';
import type { Operation } from './schema.ts';
import { preview } from './strings.ts';
import type { WireRequest, WireResult } from './wire.ts';

export interface FindingRecord {
  readonly op: string;
  readonly status: number | 'none';
  readonly reason: string;
  count: number;
  readonly example: {
    readonly detail: string;
    readonly token: string;
    readonly label: string;
    readonly request: string;
    readonly response: string;
    readonly repro: string;
  };
}

/** One request of the run and its answer, as a finding's example shows them. */
export interface Exchange {
  readonly op: Operation;
  /** The case's label (`valid`, `body:deep(10000,array)`…), or what else sent the request. */
  readonly label: string;
  /** The variant's label: how the example names the token. */
  readonly token: string;
  readonly sent: Sent;
  readonly result: WireResult;
  /** The case's number, for FUZZ_REPLAY. */
  readonly run: number;
  /** For the twin: the cross request it was compared with, shown beside it. */
  readonly pairedWith?: { readonly sent: Sent };
}

/** Adds the findings of one answer to the log: counted if already known, else kept with this example. */
export function keepFindings(
  log: Map<string, FindingRecord>,
  seed: number,
  exchange: Exchange,
  findings: readonly Finding[],
): void {
  const { op, label, token, sent, result, run, pairedWith } = exchange;
  for (const f of findings) {
    const status = result.ok ? result.response.status : 'none';
    const key = `${op.key} | ${status} | ${f.reason}`;
    const existing = log.get(key);
    if (existing) {
      existing.count++;
      continue;
    }
    const request =
      describeRequest(sent.wire, token) +
      (pairedWith
        ? `\n  -- the same with tenant A's ids:\n${describeRequest(pairedWith.sent.wire, 'cross')}`
        : '');
    log.set(key, {
      op: op.key,
      status,
      reason: f.reason,
      count: 1,
      example: {
        detail: preview(f.detail, 400),
        token,
        label,
        request,
        response: result.ok
          ? `${result.response.status} ${preview(result.response.text, 300)}`
          : result.error,
        // The method sweep and the transport probes are no operation's cases: only a full run repeats them.
        repro:
          op.key.startsWith('(') || label === 'method-sweep'
            ? 'part of every full run (no FUZZ_OPS): node scripts/run-tests.ts test/fuzz'
            : `FUZZ_SEED=${seed} FUZZ_OPS='${op.key}' FUZZ_REPLAY=${run} node scripts/run-tests.ts test/fuzz`,
      },
    });
  }
}

/** A watched resource of tenant A that changed during the run (the integrity check's finding). */
export function integrityFinding(
  what: string,
  before: string,
  after: string | undefined,
  seed: number,
): FindingRecord {
  return {
    op: '(integrity)',
    status: 'none',
    reason: `${what} changed during the run, though only other tenants' and unauthenticated requests named it`,
    count: 1,
    example: {
      detail: `before: ${before.slice(0, 300)}\nafter:  ${String(after).slice(0, 300)}`,
      token: '-',
      label: '-',
      request: '-',
      response: '-',
      repro: `FUZZ_SEED=${seed}`,
    },
  };
}

/** The request as a report shows it: request line, headers (tokens named, not printed), body. */
export function describeRequest(wire: WireRequest, token: string): string {
  const lines = [`  ${wire.method} ${preview(wire.path, 300)}`];
  for (const [k, v] of Object.entries(wire.headers)) {
    const value = k === 'authorization' ? `<${token}> ${preview(String(v), 60)}` : preview(String(v), 120);
    lines.push(`  ${k}: ${value}`);
  }
  if (wire.body)
    lines.push(`  body (${wire.body.length} bytes): ${preview(wire.body.toString('utf8'), 500)}`);
  return lines.join('\n');
}

/** Every finding with its example, numbered, as the run prints them. */
export function formatFindings(findings: Iterable<FindingRecord>): string {
  return [...findings]
    .map((f, i) =>
      [
        `#${i + 1} ${f.op} → ${f.status}: ${f.reason} (×${f.count})`,
        `  detail: ${f.example.detail}`,
        `  token: ${f.example.token}; case: ${f.example.label}`,
        f.example.request,
        `  answer: ${f.example.response}`,
        `  reproduce: ${f.example.repro}`,
      ].join('\n'),
    )
    .join('\n\n');
}

const histogram = (byStatus: Map<string, number> | undefined) =>
  [...(byStatus ?? new Map<string, number>())]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');

/** One operation's statuses per variant (`right: 200×22 400×43 | cross: …`), so a run shows what it reached. */
export function statusLine(key: string, byMode: Map<string, Map<string, number>> | undefined): string {
  const modes = ['right', 'cross', 'twin', 'none', 'garbage']
    .filter((m) => byMode?.has(m))
    .map((m) => `${m}: ${histogram(byMode?.get(m))}`);
  return `  ${key.padEnd(44)} ${modes.join(' | ')}`;
}
