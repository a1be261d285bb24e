import { realBackend } from '../support/backends.ts';
import { realService } from '../support/services.ts';
import { recordingSuite } from './recording.suite.ts';

const name = 'dojo recording on real Cassandra + Kafka + Redis + S3';
const cassandra = realService('cassandra', name);
const kafka = cassandra ? realService('kafka', name) : undefined;
const redis = kafka ? realService('redis', name) : undefined;
const s3 = redis ? realService('s3', name) : undefined;
if (cassandra && kafka && redis && s3) recordingSuite(realBackend(cassandra, 'recording', { s3: true }));
