import { realService } from '../support/services.ts';
import { accountsSuites } from './accounts.suite.ts';
import { realBackend } from './harness.ts';

const cassandra = realService('cassandra', 'accounts on real Cassandra + Redis');
const redis = cassandra ? realService('redis', 'accounts on real Cassandra + Redis') : undefined;
if (cassandra && redis) accountsSuites(realBackend(cassandra));
