import { embeddedBackend } from './harness.ts';
import { nodesSuite } from './nodes.suite.ts';
import { oneNodeSuite } from './one-node.suite.ts';
import { restartSuite } from './restart.suite.ts';

const backend = embeddedBackend();
oneNodeSuite(backend);
nodesSuite(backend);
restartSuite(backend, { after: () => backend.cleanup() });
