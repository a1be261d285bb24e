/**
 * A local stand-in for the few Stripe API endpoints the payments-stripe adapter calls. An allowed fake:
 * Stripe cannot be reached from the build machines, so this is all the adapter is tested against. It
 * copies what Stripe documents (form-encoded bodies with bracket keys, Bearer auth, idempotency keys kept
 * and replayed, 409 while a key is in flight, test tokens and their declines, a method reusable only once
 * attached to a customer), not anything observed from Stripe itself.
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type Params = { [key: string]: string | Params };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly idempotencyKey: string | undefined;
  readonly params: Params;
  /** The status answered; undefined for a request hung or closed on purpose. */
  status?: number;
  replayed?: boolean;
}

/** `lose-answer` does the request, then closes the socket: the caller cannot know it was done. */
export type FakeFault = 'error500' | 'hang' | 'close' | 'lose-answer';

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

type Decline = { readonly code: string; readonly decline_code: string; readonly message: string };
type Outcome = 'succeed' | 'requires_action' | Decline;

const STATUS = { succeed: 'succeeded', requires_action: 'requires_action' } as const;
const decline = (code: string, reason: string, message: string): Decline => ({
  code,
  decline_code: reason,
  message,
});
const GENERIC = decline('card_declined', 'generic_decline', 'Your card was declined.');
const NO_FUNDS = decline('card_declined', 'insufficient_funds', 'Your card has insufficient funds.');
const AUTHENTICATE = decline(
  'authentication_required',
  'authentication_required',
  'Your card needs authentication.',
);
/** Stripe's test tokens: what a first charge does, and what a charge of the method kept from it does. */
const CARDS: Readonly<Record<string, { readonly first: Outcome; readonly kept?: Outcome }>> = {
  tok_visa: { first: 'succeed' },
  tok_mastercard: { first: 'succeed' },
  tok_chargeDeclined: { first: GENERIC },
  tok_insufficientFunds: { first: NO_FUNDS },
  tok_chargeCustomerFail: { first: 'succeed', kept: GENERIC },
  tok_threeDSecure2Required: { first: 'requires_action' },
};

const hex = () => randomBytes(12).toString('hex');
const text = (v: string | Params | undefined) => (typeof v === 'string' ? v : '');
const fields = (v: string | Params | undefined): Params => (typeof v === 'object' ? v : {});
const failure = (status: number, error: Record<string, unknown>): Answer => ({ status, body: { error } });
const invalidRequest = (message: string, extra: Record<string, unknown> = {}) =>
  failure(400, { type: 'invalid_request_error', message, ...extra });

/** `a[b][c]=v` as nested objects, as Stripe reads the SDK's bodies (array indexes stay object keys). */
export function parseForm(body: string): Params {
  const out: Params = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const path = name.replaceAll(']', '').split('[');
    let at = out;
    for (const part of path.slice(0, -1)) {
      const next = at[part];
      at = typeof next === 'object' ? next : (at[part] = {});
    }
    at[path[path.length - 1] ?? ''] = value;
  }
  return out;
}

/** A valid `Stripe-Signature` header, computed here rather than by the SDK the adapter verifies with. */
export function signWebhook(
  payload: string,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

/** A webhook event's body as Stripe sends it, around an object (a payment intent). */
export function webhookEvent(type: string, object: unknown): string {
  const event = { id: `evt_${hex()}`, object: 'event', type, livemode: false, data: { object } };
  return JSON.stringify({ ...event, created: Math.floor(Date.now() / 1000) });
}

interface Method {
  readonly id: string;
  readonly token: string;
  customer?: string;
  used: boolean;
}

export class FakeStripe {
  /** Every request received, in order, replays and failures included. */
  readonly requests: RecordedRequest[] = [];
  readonly #secretKey: string;
  readonly #latencyMs: number;
  readonly #server = http.createServer((req, res) => void this.#handle(req, res));
  readonly #faults: { fault: FakeFault; path: string | undefined }[] = [];
  readonly #keys = new Map<string, { path: string; body: string; answer: Answer }>();
  readonly #inFlight = new Set<string>();
  readonly #methods = new Map<string, Method>();
  readonly #customers = new Set<string>();
  readonly #intents: Record<string, unknown>[] = [];

  private constructor(options: { secretKey: string; latencyMs?: number }) {
    this.#secretKey = options.secretKey;
    this.#latencyMs = options.latencyMs ?? 0;
  }

  /** Listens on 127.0.0.1; `latencyMs` is how long a new request holds its key (so concurrent ones meet). */
  static async start(options: { secretKey: string; latencyMs?: number }): Promise<FakeStripe> {
    const fake = new FakeStripe(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** The payment intents created (each once, however often its key was replayed). */
  intents(): readonly Record<string, unknown>[] {
    return [...this.#intents];
  }

  /** The next `count` requests (to `path` only, when given) meet this fault instead of a normal answer. */
  failNext(fault: FakeFault, count = 1, path?: string): void {
    for (let i = 0; i < count; i++) this.#faults.push({ fault, path });
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const key = req.headers['idempotency-key'];
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0] ?? '',
      headers: req.headers,
      idempotencyKey: typeof key === 'string' ? key : undefined,
      params: parseForm(body),
    };
    this.requests.push(record);
    const at = this.#faults.findIndex((f) => f.path === undefined || f.path === record.path);
    const fault = at < 0 ? undefined : this.#faults.splice(at, 1)[0]?.fault;
    if (fault === 'hang') return;
    if (fault === 'close') return void req.socket.destroy();
    const answer =
      fault === 'error500'
        ? failure(500, { type: 'api_error', message: 'An unknown error occurred.' })
        : await this.#answer(record, body);
    if (fault === 'lose-answer') return void req.socket.destroy();
    record.status = answer.status;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'request-id': `req_${hex()}`,
    };
    if (record.replayed) headers['idempotent-replayed'] = 'true';
    res.writeHead(answer.status, headers).end(JSON.stringify(answer.body));
  }

  /** Auth, then Stripe's idempotency: a kept answer replayed, a key in flight refused, a reused key checked. */
  async #answer(record: RecordedRequest, body: string): Promise<Answer> {
    if (record.headers.authorization !== `Bearer ${this.#secretKey}`) {
      return failure(401, { type: 'invalid_request_error', message: 'Invalid API Key provided.' });
    }
    const key = record.idempotencyKey;
    if (record.method !== 'POST' || !key) return this.#route(record);
    const kept = this.#keys.get(key);
    if (kept) {
      if (kept.path !== record.path || kept.body !== body) {
        return failure(400, {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        });
      }
      record.replayed = true;
      return kept.answer;
    }
    if (this.#inFlight.has(key)) {
      return failure(409, {
        type: 'idempotency_error',
        code: 'idempotency_key_in_use',
        message: 'There is currently another in-progress request using this Idempotency-Key.',
      });
    }
    this.#inFlight.add(key);
    try {
      if (this.#latencyMs > 0) await sleep(this.#latencyMs);
      const answer = this.#route(record);
      // Like Stripe, a request refused before it ran (400, 401) keeps nothing under its key.
      if (answer.status === 200 || answer.status === 402)
        this.#keys.set(key, { path: record.path, body, answer });
      return answer;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  #route(record: RecordedRequest): Answer {
    const create = {
      '/v1/payment_methods': (p: Params) => this.#createMethod(p),
      '/v1/customers': (p: Params) => this.#createCustomer(p),
      '/v1/payment_intents': (p: Params) => this.#createIntent(p),
    }[record.method === 'POST' ? record.path : ''];
    if (create) return create(record.params);
    return failure(404, { type: 'invalid_request_error', message: `Unrecognized URL (${record.path}).` });
  }

  #createMethod(p: Params): Answer {
    if (p.type !== 'card') return invalidRequest('Only card methods here.', { param: 'type' });
    const token = text(fields(p.card).token);
    if (!CARDS[token]) {
      return invalidRequest(`No such token: '${token}'`, { code: 'resource_missing', param: 'card[token]' });
    }
    const method: Method = { id: `pm_${hex()}`, token, used: false };
    this.#methods.set(method.id, method);
    return { status: 200, body: { id: method.id, object: 'payment_method', type: 'card', customer: null } };
  }

  #createCustomer(p: Params): Answer {
    const id = `cus_${hex()}`;
    this.#customers.add(id);
    return { status: 200, body: { id, object: 'customer', metadata: fields(p.metadata) } };
  }

  /** Why Stripe would refuse this intent before trying the card, if it would. */
  #refusalOf(p: Params, method: Method | undefined, customer: string | undefined): Answer | undefined {
    const checks: readonly (readonly [boolean, string, string, string])[] = [
      [!/^\d+$/.test(text(p.amount)), 'amount', 'parameter_invalid_integer', 'Invalid integer.'],
      [Number(p.amount) < 50, 'amount', 'amount_too_small', 'Amount must be at least 50 cents.'],
      [!text(p.currency), 'currency', 'parameter_missing', 'Missing required param: currency.'],
      [!method, 'payment_method', 'resource_missing', 'No such PaymentMethod.'],
      [!!customer && !this.#customers.has(customer), 'customer', 'resource_missing', 'No such customer.'],
      [
        !!method?.customer && method.customer !== customer,
        'customer',
        'payment_method_unexpected_state',
        'The provided PaymentMethod belongs to a Customer: pass that Customer as `customer`.',
      ],
      [
        !!method && !method.customer && method.used,
        'payment_method',
        'payment_method_unexpected_state',
        'The provided PaymentMethod was previously used without Customer attachment; it may not be used again.',
      ],
    ];
    const refused = checks.find(([failed]) => failed);
    return refused && invalidRequest(refused[3], { param: refused[1], code: refused[2] });
  }

  #createIntent(p: Params): Answer {
    const method = this.#methods.get(text(p.payment_method));
    const customer = text(p.customer) || undefined;
    const refusal = this.#refusalOf(p, method, customer);
    if (refusal || !method) return refusal ?? invalidRequest('No such PaymentMethod.');
    const card = CARDS[method.token] ?? { first: GENERIC };
    let outcome = method.customer ? (card.kept ?? card.first) : card.first;
    if (
      outcome === 'requires_action' &&
      (p.error_on_requires_action === 'true' || p.off_session === 'true')
    ) {
      outcome = AUTHENTICATE;
    }
    method.used = true;
    const intent: Record<string, unknown> = {
      id: `pi_${hex()}`,
      object: 'payment_intent',
      amount: Number(p.amount),
      currency: text(p.currency),
      customer: customer ?? null,
      description: text(p.description) || null,
      metadata: fields(p.metadata),
      payment_method: method.id,
      setup_future_usage: text(p.setup_future_usage) || null,
      status: typeof outcome === 'object' ? 'requires_payment_method' : STATUS[outcome],
      last_payment_error: typeof outcome === 'object' ? { type: 'card_error', ...outcome } : null,
    };
    this.#intents.push(intent);
    if (typeof outcome === 'object') {
      return failure(402, { type: 'card_error', ...outcome, charge: `ch_${hex()}`, payment_intent: intent });
    }
    // setup_future_usage attaches the method to the customer once the payment succeeds, as Stripe does.
    if (outcome === 'succeed' && customer && p.setup_future_usage === 'off_session')
      method.customer = customer;
    return { status: 200, body: intent };
  }
}
