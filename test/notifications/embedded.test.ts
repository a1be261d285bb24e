import { embeddedBackend } from './backends.ts';
import { notificationsSuite } from './notifications.suite.ts';

notificationsSuite(embeddedBackend());
