import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { LoggedIn } from '../support/accounts.ts';
import { annualReport, createDojo, join, leaveAll, startNode, team, type Node } from './helpers.ts';

/**
 * A live room's facts reach the reports: who took part and for how long (participant events, kept in the
 * store), the room opening and closing, as the annual report of the tenant shows them. A real server
 * process on the embedded adapters, real @colyseus/sdk clients.
 */
const test = suite('dojo attendance in the reports');
let node: Node;
let host: LoggedIn, member: LoggedIn;

test.before(async () => {
  node = await startNode({ DOJO_TEST_RECONNECT_SECONDS: '1' });
  [host, member] = (await team(node, 1)) as [LoggedIn, LoggedIn];
});
test.after(async () => {
  await node?.stop();
});

test('two members in a room for a while are two participants with their minutes', async () => {
  const dojoId = await createDojo(node.url, host, [member]);
  const a = await join(node.url, host.token, dojoId);
  const b = await join(node.url, member.token, dojoId);
  await sleep(1500);
  await leaveAll(a, b);
  const report = await annualReport(node.url, host.token, (r) => r.dojos.participants >= 2);
  assert.is(report.dojos.total, 1);
  assert.is(report.dojos.participants, 2);
  assert.ok(report.dojos.minutes > 0.02 && report.dojos.minutes < 1, `${report.dojos.minutes} minutes`);
});

test.run();
