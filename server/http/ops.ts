import { z } from 'zod';
import { AppError } from '../lib/errors.ts';
import { defineEndpoint, reply, type AnyEndpoint } from './endpoint.ts';
import type { Metrics } from './metrics.ts';

export interface ReadinessCheck {
  readonly name: string;
  readonly check: () => Promise<void>;
  /** A failing non-critical check is reported (`degraded`) without making the node unready. */
  readonly critical?: boolean;
}

const checkResult = z.object({ status: z.enum(['ok', 'fail']), ms: z.number() });
const readySchema = z.object({
  status: z.enum(['ok', 'degraded', 'fail']),
  checks: z.record(z.string(), checkResult),
});

async function timed(check: ReadinessCheck, timeoutMs: number) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return { status: 'ok' as const, ms: Math.round(performance.now() - started) };
  } catch {
    return { status: 'fail' as const, ms: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness, readiness (every adapter in use), Prometheus metrics and the OpenAPI document. */
export function opsEndpoints(options: {
  readonly checks: readonly ReadinessCheck[];
  readonly metrics: Metrics;
  readonly openapi: () => unknown;
  readonly isShuttingDown: () => boolean;
}): AnyEndpoint[] {
  return [
    defineEndpoint({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process is up',
      tags: ['operations'],
      responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
      handler: () => reply(200, { status: 'ok' }),
    }),
    defineEndpoint({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: every dependency in use answers',
      tags: ['operations'],
      responses: {
        200: { description: 'Ready', schema: readySchema },
        503: { description: 'Not ready (body lists the failing checks)', schema: readySchema },
      },
      handler: async () => {
        const results = await Promise.all(options.checks.map(async (c) => ({ c, r: await timed(c, 2000) })));
        const checks = Object.fromEntries(results.map(({ c, r }) => [c.name, r]));
        const failing = results.filter(({ r }) => r.status === 'fail');
        const ready = !options.isShuttingDown() && failing.every(({ c }) => c.critical === false);
        const status = !ready ? 'fail' : failing.length ? 'degraded' : 'ok';
        return reply(ready ? 200 : 503, { status, checks });
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics',
      tags: ['operations'],
      responses: { 200: { description: 'Prometheus text exposition format', contentType: 'text/plain' } },
      handler: async () => {
        const text = await options.metrics.registry.metrics().catch((cause: unknown) => {
          throw new AppError('METRICS.FAILED', 'metrics collection failed', { kind: 'INTERNAL', cause });
        });
        return { status: 200, raw: { contentType: options.metrics.registry.contentType, text } };
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/openapi.json',
      summary: 'This API as an OpenAPI 3.1 document',
      tags: ['operations'],
      responses: { 200: { description: 'OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) } },
      handler: () => reply(200, options.openapi()),
    }),
  ];
}
