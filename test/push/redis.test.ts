import { realService } from '../support/services.ts';
import { pushSuites, redisPush } from './push.suite.ts';

const env = realService('redis', 'push on the Redis Streams backplane');
if (env?.REDIS_URL) pushSuites(redisPush(env.REDIS_URL));
