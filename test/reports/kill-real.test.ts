import { realBackend } from '../support/backends.ts';
import { realService } from '../support/services.ts';
import { killSuite } from './kill.suite.ts';

const name = 'reports projector killed, on real Kafka + PostgreSQL';
const kafka = realService('kafka', name);
const postgres = kafka ? realService('postgres', name) : undefined;
if (kafka && postgres) killSuite(realBackend(postgres, 'projkill'));
