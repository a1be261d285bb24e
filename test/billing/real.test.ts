import { realBackend } from '../support/backends.ts';
import { realService } from '../support/services.ts';
import { crashSuite } from './crash.suite.ts';
import { lifecycleSuite } from './lifecycle.suite.ts';
import { paymentsSuite } from './payments.suite.ts';

const name = 'billing on real Cassandra + Kafka + Redis';
const cassandra = realService('cassandra', name);
const kafka = cassandra ? realService('kafka', name) : undefined;
const redis = kafka ? realService('redis', name) : undefined;
if (cassandra && kafka && redis) {
  paymentsSuite(realBackend(cassandra, 'bill'));
  lifecycleSuite(realBackend(cassandra, 'billrenew'));
  crashSuite(realBackend(cassandra, 'billcrash'));
}
