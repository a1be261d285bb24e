import type { SandboxGateway } from '../../server/adapters/payments-sandbox/index.ts';
import type { RunningSystem } from '../../server/system.ts';
import type { LoggedIn } from '../support/accounts.ts';

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
  readonly headers: Headers;
}

/** A request as a mobile app sends it; `key` is the Idempotency-Key header. */
export async function call(
  url: string,
  method: string,
  route: string,
  who: LoggedIn | undefined,
  body?: unknown,
  key?: string,
): Promise<Answer> {
  const res = await fetch(url + route, {
    method,
    headers: {
      ...(who ? { authorization: `Bearer ${who.token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    text,
    headers: res.headers,
  };
}

export const pay = (url: string, who: LoggedIn, body: Record<string, unknown>, key: string) =>
  call(url, 'POST', '/v1/payment', who, body, key);

/** A monthly plan bought with Visa, as the default price list has it. */
export const MONTHLY = {
  plan: 'M',
  total: 9.99,
  paymentGateway: 'sandbox',
  paymentToken: 'tok_visa',
} as const;

export const sandboxOf = (system: RunningSystem): SandboxGateway => {
  const gateway = system.adapters.payments.get('sandbox');
  if (!gateway) throw new Error('no sandbox gateway');
  return gateway as SandboxGateway;
};

/** The sandbox's charges for one tenant today (its gateway keys carry the tenant id). */
export async function chargesOf(system: RunningSystem, tenantId: string, day?: Date) {
  return (await sandboxOf(system).charges(day)).filter((c) => c.idempotencyKey.includes(tenantId));
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A clock the test moves: the scheduler and billing of a system read it. */
export class TestClock {
  #at: number;
  constructor(start: Date) {
    this.#at = start.getTime();
  }
  readonly ms = () => this.#at;
  readonly date = () => new Date(this.#at);
  set(to: Date): void {
    this.#at = to.getTime();
  }
}
