import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '../server/capabilities.ts';

const LANGUAGES = ['TypeScript', 'Go', 'Rust', 'Python', 'Kotlin', 'Java', 'Elixir', 'Zig'];
const TAGS = Array.from({ length: 20 }, (_, i) => `tag${i}`);

/**
 * `count` POC events of one tenant, 1,000 at a time, generated as they are consumed (the stream is never
 * in memory at once): 90 % created, 8 % updated or favourited, 2 % deleted, spread over this year.
 */
export function* pocStream(
  tenantId: string,
  count: number,
  idAt: (ms: number) => string,
): Generator<DomainEvent[]> {
  const year = new Date().getUTCFullYear();
  const start = Date.UTC(year, 0, 1);
  const span = Date.UTC(year, 11, 31) - start;
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const made: string[] = [];
  let chunk: DomainEvent[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + Math.floor((i / count) * span);
    const roll = rand();
    const existing = made.length ? made[Math.floor(rand() * made.length)] : undefined;
    const pocId = roll < 0.9 || !existing ? randomUUID() : existing;
    // The POCs later events may touch: the last 100,000 made, so memory stays flat in `count`.
    if (pocId !== existing) {
      if (made.length < 100_000) made.push(pocId);
      else made[i % 100_000] = pocId;
    }
    const type = pocId !== existing ? 'poc.created' : roll < 0.98 ? 'poc.updated' : 'poc.deleted';
    chunk.push({
      eventId: idAt(at),
      domain: 'pocs',
      type,
      version: 1,
      tenantId,
      at: new Date(at).toISOString(),
      data: {
        pocId,
        userId: `00000000-0000-4000-8000-${String(i % 50).padStart(12, '0')}`,
        name: `poc ${i}`,
        language: LANGUAGES[Math.floor(rand() * LANGUAGES.length)],
        tags: TAGS.filter(() => rand() < 0.1),
        favorite: rand() < 0.2,
        created: new Date(at).toISOString(),
        version: at + i,
      },
    });
    if (chunk.length === 1000) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}
