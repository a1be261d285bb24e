import { realBackend } from '../support/backends.ts';
import { realService } from '../support/services.ts';
import { reportsSuite } from './reports.suite.ts';

const name = 'reports on real Cassandra + Kafka + Redis + PostgreSQL + S3';
const cassandra = realService('cassandra', name);
const kafka = cassandra ? realService('kafka', name) : undefined;
const redis = kafka ? realService('redis', name) : undefined;
const postgres = redis ? realService('postgres', name) : undefined;
const s3 = postgres ? realService('s3', name) : undefined;
if (cassandra && kafka && redis && postgres && s3)
  reportsSuite(realBackend(cassandra, 'reports', { s3: true }));
