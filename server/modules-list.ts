import type { DojoModule } from './modules.ts';
import { createAccountsModule } from './modules/accounts/index.ts';
import { createDojosModule } from './modules/dojos/index.ts';
import { createPocsModule } from './modules/pocs/index.ts';

/** Every capability the system runs, in boot order. */
export const MODULES: readonly DojoModule[] = [
  createAccountsModule(),
  createPocsModule(),
  createDojosModule(),
];
