import type { DojoModule } from './modules.ts';
import { createAccountsModule } from './modules/accounts/index.ts';
import { createBillingModule } from './modules/billing/index.ts';
import { createDojosModule } from './modules/dojos/index.ts';
import { createEventsModule } from './modules/events/index.ts';
import { createNotificationsModule } from './modules/notifications/index.ts';
import { createPocsModule } from './modules/pocs/index.ts';
import { createRecordingsModule } from './modules/recordings/index.ts';
import { createPushModule } from './modules/push/index.ts';
import { createReportsModule } from './modules/reports/index.ts';
import { createSchedulerModule } from './modules/scheduler/index.ts';
import { createVideosModule } from './modules/videos/index.ts';

/** Every capability the system runs, in boot order. */
export const MODULES: readonly DojoModule[] = [
  createAccountsModule(),
  createEventsModule(),
  createSchedulerModule(),
  createPushModule(),
  createNotificationsModule(),
  createBillingModule(),
  createPocsModule(),
  createRecordingsModule(),
  createDojosModule(),
  createReportsModule(),
  createVideosModule(),
];
