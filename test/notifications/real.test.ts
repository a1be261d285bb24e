import { realService } from '../support/services.ts';
import { realBackend } from '../support/backends.ts';
import { notificationsSuite } from './notifications.suite.ts';

const name = 'notifications on real Cassandra + Kafka + Redis';
const cassandra = realService('cassandra', name);
const kafka = cassandra ? realService('kafka', name) : undefined;
const redis = kafka ? realService('redis', name) : undefined;
if (cassandra && kafka && redis) notificationsSuite(realBackend(cassandra, 'notif'));
