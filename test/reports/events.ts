import { createHash } from 'node:crypto';
import type { DomainEvent, EventDomain } from '../../server/capabilities.ts';
import type { SqlRunner } from '../../server/ports/analytics.ts';
import { PROJECTED_TABLES } from '../../server/modules/reports/read-model.ts';
import { rng } from '../support/random.ts';

/** A uuid made from words: the same stream every run. */
export const idOf = (words: string) => {
  const h = createHash('sha256').update(words).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

const LANGUAGES = ['TypeScript', 'Go', 'Rust', 'python', 'Kotlin'];
const TAGS = ['web', 'cli', 'ml', 'db', 'infra', 'game'];

/**
 * A year of a few tenants' facts as the modules emit them, every kind the projector reads: tenants and
 * members, POCs created, updated, favourited and deleted, dojos opened and closed with participations,
 * payments that succeed and fail, subscriptions that change.
 */
export function eventStream(seed: number, size: number): DomainEvent[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const out: DomainEvent[] = [];
  let clock = Date.UTC(2026, 0, 1);
  const push = (domain: EventDomain, type: string, tenantId: string, data: Record<string, unknown>) => {
    clock += 1 + Math.floor(rand() * 3_000_000);
    out.push({
      eventId: idOf(`${seed}:${out.length}`),
      domain,
      type,
      version: 1,
      tenantId,
      at: new Date(clock).toISOString(),
      data,
    });
  };
  const tenants = [0, 1, 2].map((t) => idOf(`${seed}:tenant:${t}`));
  const users = new Map(tenants.map((t) => [t, [0, 1, 2].map((u) => idOf(`${t}:user:${u}`))]));
  for (const t of tenants) {
    push('accounts', 'tenant.created', t, { name: `Tenant ${t.slice(0, 4)}`, ownerId: users.get(t)?.[0] });
    for (const [i, u] of (users.get(t) ?? []).entries())
      push('accounts', 'member.joined', t, { userId: u, role: i ? 'member' : 'owner' });
  }
  const pocs: {
    id: string;
    tenantId: string;
    userId: string;
    version: number;
    created: string;
    deleted: boolean;
  }[] = [];
  let subVersion = 0;
  while (out.length < size) {
    const t = pick(tenants);
    const u = pick(users.get(t) ?? []);
    const roll = rand();
    const state = (p: (typeof pocs)[number]) => ({
      pocId: p.id,
      userId: p.userId,
      name: `poc ${p.id.slice(0, 6)}`,
      language: pick(LANGUAGES),
      tags: TAGS.filter(() => rand() < 0.3),
      favorite: rand() < 0.3,
      created: p.created,
      version: p.version,
    });
    if (roll < 0.45 || !pocs.length) {
      const p = {
        id: idOf(`${seed}:poc:${out.length}`),
        tenantId: t,
        userId: u,
        version: clock,
        created: new Date(clock).toISOString(),
        deleted: false,
      };
      pocs.push(p);
      push('pocs', 'poc.created', t, state(p));
    } else if (roll < 0.7) {
      const p = pick(pocs);
      if (p.deleted) continue;
      p.version += 1000;
      push('pocs', pick(['poc.updated', 'poc.favourited', 'poc.unfavourited']), p.tenantId, state(p));
    } else if (roll < 0.75) {
      const p = pick(pocs);
      if (p.deleted) continue;
      p.deleted = true;
      p.version += 1000;
      push('pocs', 'poc.deleted', p.tenantId, state(p));
    } else if (roll < 0.85) {
      const dojoId = idOf(`${seed}:dojo:${out.length}`);
      push('dojos', 'dojo.created', t, {
        dojoId,
        hostId: u,
        dojoDate: new Date(clock + 86_400_000).toISOString(),
      });
      push('dojos', 'dojo.started', t, { dojoId });
      push('dojos', 'participant.left', t, {
        dojoId,
        userId: u,
        participationId: idOf(`${dojoId}:p`),
        joinedAt: new Date(clock).toISOString(),
        minutes: Math.round(rand() * 9000) / 100,
      });
      push('dojos', 'dojo.ended', t, { dojoId });
    } else if (roll < 0.95) {
      const ok = rand() < 0.8;
      push('billing', ok ? 'payment.succeeded' : 'payment.failed', t, {
        paymentId: idOf(`${seed}:pay:${out.length}`),
        kind: 'PURCHASE',
        plan: 'M',
        totalCents: 999,
        currency: 'USD',
        gateway: 'sandbox',
        declineCode: ok ? null : 'card_declined',
        created: new Date(clock).toISOString(),
      });
    } else {
      subVersion += 1;
      push('billing', 'subscription.changed', t, {
        plan: pick(['M', 'Y', 'FREE']),
        status: 'ACTIVE',
        expiresAt: new Date(clock + 30 * 86_400_000).toISOString(),
        autoRenew: rand() < 0.5,
        version: subVersion,
      });
    }
  }
  return out;
}

/** The projected tables' rows, sorted, as JSON: what two read models are compared by. */
export async function dumpTables(sql: SqlRunner): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of PROJECTED_TABLES) {
    const rows = await sql.query(`SELECT * FROM ${table}`);
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}
