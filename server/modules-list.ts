import type { DojoModule } from './modules.ts';

/** Every capability the system runs, in boot order. */
export const MODULES: readonly DojoModule[] = [];
