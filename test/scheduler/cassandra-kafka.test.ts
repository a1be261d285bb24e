import { realService } from '../support/services.ts';
import { realBackend } from './harness.ts';
import { nodesSuite } from './nodes.suite.ts';
import { oneNodeSuite } from './one-node.suite.ts';
import { restartSuite } from './restart.suite.ts';
import { systemsSuite } from './systems.suite.ts';

const name = 'scheduler on real Cassandra + Kafka';
const cassandra = realService('cassandra', name);
const kafka = cassandra ? realService('kafka', name) : undefined;
if (cassandra && kafka) {
  const backend = realBackend(cassandra);
  oneNodeSuite(backend);
  systemsSuite(backend);
  nodesSuite(backend);
  restartSuite(backend, { after: () => backend.cleanup() });
}
