import type { DojoModule } from './modules.ts';
import { createAccountsModule } from './modules/accounts/index.ts';
import { createDojosModule } from './modules/dojos/index.ts';
import { createNotificationsModule } from './modules/notifications/index.ts';
import { createPocsModule } from './modules/pocs/index.ts';
import { createPushModule } from './modules/push/index.ts';
import { createSchedulerModule } from './modules/scheduler/index.ts';

/** Every capability the system runs, in boot order. */
export const MODULES: readonly DojoModule[] = [
  createAccountsModule(),
  createSchedulerModule(),
  createPushModule(),
  createNotificationsModule(),
  createPocsModule(),
  createDojosModule(),
];
