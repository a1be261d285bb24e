import { realService } from '../support/services.ts';
import { realBackend } from './backends.ts';
import { pocsSuite } from './pocs.suite.ts';

const cassandra = realService('cassandra', 'pocs on real Cassandra + Redis');
const redis = cassandra ? realService('redis', 'pocs on real Cassandra + Redis') : undefined;
if (cassandra && redis) pocsSuite(realBackend(cassandra));
