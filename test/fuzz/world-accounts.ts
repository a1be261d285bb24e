/**
 * The system the suite fuzzes, started in process with an accounts module tuned for fuzzing, and the six
 * accounts of its two tenants, signed up and logged in through the real API.
 */
import { randomBytes } from 'node:crypto';
import { MODULES } from '../../server/modules-list.ts';
import { createAccountsModule } from '../../server/modules/accounts/index.ts';
import type { AccountsOptionsInput } from '../../server/modules/accounts/options.ts';
import { CHEAP_HASHING } from '../accounts/harness.ts';
import { signUpAndLogin } from '../support/accounts.ts';
import { startTestSystem, type TestSystem } from '../support/system.ts';

/**
 * Throttles that never trigger: every request of the suite comes from 127.0.0.1 and the fuzzer fails logins
 * with the suite's own usernames on purpose; with the production rules the suite's own logins (fresh
 * sessions for logout, re-logins after a password change) would be locked out after a few runs. Hashing is
 * cheap and its queue long, as sign-ups and logins are fuzzed by the thousand. Options this version of the
 * accounts module does not know are ignored by it.
 */
const ACCOUNTS_OPTIONS = {
  hashing: CHEAP_HASHING,
  hashingQueue: 10_000,
  throttlePerAccount: { freeFailures: 1_000_000_000, windowSeconds: 1, maxLockSeconds: 1 },
  throttlePerAddress: { freeFailures: 1_000_000_000, windowSeconds: 1, maxLockSeconds: 1 },
  throttleSignUpPerAddress: { limit: 1_000_000_000, windowSeconds: 1 },
} as AccountsOptionsInput;

export interface Account {
  readonly label: string;
  readonly username: string;
  readonly email: string;
  /** Changed by the bookkeeping when POST /v1/account/password succeeds (pwA, pwB). */
  password: string;
  readonly userId: string;
  readonly tenantId: string;
  /** Changed when the account logs in again (its session ended). */
  token: string;
}

/** The labels of the accounts; the world's fields of the same names hold them. */
export type AccountLabel = 'ownerA' | 'memberA' | 'pwA' | 'refreshA' | 'ownerB' | 'pwB';

/** The embedded system (roles api and workers), every module as in production but accounts. */
export async function startFuzzSystem(): Promise<TestSystem> {
  const cheap = createAccountsModule(ACCOUNTS_OPTIONS);
  return startTestSystem({ modules: MODULES.map((m) => (m.name === 'accounts' ? cheap : m)) });
}

/**
 * Signs up the accounts: ownerA and ownerB found their tenants, the others join tenant A or B by invitation.
 * Usernames (and so emails) are random: they are markers of their tenant, so they must occur nowhere else.
 */
export async function signUpAccounts(system: TestSystem): Promise<Record<AccountLabel, Account>> {
  const accounts: Partial<Record<AccountLabel, Account>> = {};
  const make = async (label: AccountLabel, invitedBy?: Account) => {
    const username = `fz${label.slice(0, 3).toLowerCase()}${randomBytes(4).toString('hex')}`;
    const password = `Fz-${randomBytes(12).toString('base64url')}`;
    const user = await signUpAndLogin(system, {
      username,
      password,
      email: `${username}@example.com`,
      firstName: `First${label}`,
      lastName: `Last${label}`,
      ...(invitedBy ? { invitedBy: invitedBy.token } : {}),
    });
    const account: Account = {
      label,
      username,
      email: `${username}@example.com`,
      password,
      userId: user.userId,
      tenantId: user.tenantId,
      token: user.token,
    };
    accounts[label] = account;
    return account;
  };
  const ownerA = await make('ownerA');
  await make('memberA', ownerA);
  await make('pwA', ownerA);
  await make('refreshA', ownerA);
  const ownerB = await make('ownerB');
  await make('pwB', ownerB);
  return accounts as Record<AccountLabel, Account>;
}
