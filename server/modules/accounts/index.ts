import type { Adapters } from '../../adapters/index.ts';
import type { DojoModule, ModuleContext } from '../../modules.ts';
import { accountsServiceFor, registerAccountsService, requireAuth } from './auth-middleware.ts';
import { accountEndpoints } from './endpoints/account.ts';
import { sessionEndpoints } from './endpoints/session.ts';
import { tenantEndpoints } from './endpoints/tenant.ts';
import { userEndpoints } from './endpoints/user.ts';
import { resolveOptions, type AccountsOptionsInput } from './options.ts';
import { ACCOUNTS_MIGRATIONS } from './schema.ts';
import { createAccountsService, type AccountsService } from './service.ts';

export interface AccountsModule extends DojoModule {
  /** The service of the system that runs on these adapters (tests use it to rotate keys or disable users). */
  serviceFor(adapters: Adapters): AccountsService | undefined;
}

/**
 * Accounts, sessions and tenants (issue #3). Each system that wires the module gets its own service (key
 * ring, token caches, revocation subscription), made by whichever role hook runs first; close() ends them.
 * Run one module instance per system when several systems share a process.
 */
export function createAccountsModule(input: AccountsOptionsInput = {}): AccountsModule {
  const options = resolveOptions(input);
  const mine = new Set<AccountsService>();

  const ensure = (ctx: ModuleContext): AccountsService => {
    const existing = accountsServiceFor(ctx.adapters);
    if (existing && mine.has(existing)) return existing;
    const service = createAccountsService({
      config: ctx.config,
      logger: ctx.logger,
      adapters: ctx.adapters,
      accounts: options,
    });
    registerAccountsService(ctx.adapters, service);
    mine.add(service);
    return service;
  };

  return {
    name: 'accounts',
    migrations: ACCOUNTS_MIGRATIONS,
    endpoints: (ctx) => {
      const service = ensure(ctx);
      const auth = requireAuth(ctx);
      return [
        ...accountEndpoints(service, auth),
        ...sessionEndpoints(service, auth),
        ...userEndpoints(service, auth),
        ...tenantEndpoints(service, auth),
      ];
    },
    rooms: (ctx) => {
      ensure(ctx);
      return [];
    },
    workers: (ctx) => {
      ensure(ctx);
      return [];
    },
    serviceFor: (adapters) => {
      const service = accountsServiceFor(adapters);
      return service && mine.has(service) ? service : undefined;
    },
    close: async () => {
      const services = [...mine];
      mine.clear();
      await Promise.allSettled(services.map((s) => s.close()));
    },
  };
}
