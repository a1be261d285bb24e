import { randomUUID } from 'node:crypto';

/**
 * Buys the monthly plan for the tenant of `token` (an owner's or admin's) with the sandbox's Visa token,
 * for suites that need what FREE does not include (recording).
 */
export async function buyMonthlyPlan(url: string, token: string): Promise<void> {
  const res = await fetch(`${url}/v1/payment`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body: JSON.stringify({ plan: 'M', total: 9.99, paymentGateway: 'sandbox', paymentToken: 'tok_visa' }),
  });
  if (res.status !== 201) throw new Error(`buying the plan: ${res.status} ${await res.text()}`);
}
