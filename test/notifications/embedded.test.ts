import { embeddedBackend } from '../support/backends.ts';
import { notificationsSuite } from './notifications.suite.ts';

notificationsSuite(embeddedBackend());
