/** What every page gets: the typed API, the session, navigation, the caller's profile and live events. */
import type { Api } from './api/client.ts';
import type { Paths } from './api/schema.gen.ts';
import type { Session, SessionStore } from './api/session.ts';
import type { Live } from './live.ts';

export type Profile = Paths['/v1/account/profile']['get']['responses'][200];

export interface AppContext {
  readonly api: Api;
  readonly sessions: SessionStore;
  session(): Session | undefined;
  navigate(path: string, options?: { replace?: boolean }): void;
  /** The caller's profile, fetched once per login; `refreshProfile` after changing it. */
  profile(): Promise<Profile>;
  refreshProfile(): Promise<Profile>;
  readonly live: Live;
  /** Ends the session on the server (best effort) and here, then shows the login page. */
  logout(): Promise<void>;
}

/** A page draws itself into `root`; it may return a cleanup for when the user navigates away. */
export type Cleanup = () => void;
export type Page = (
  root: HTMLElement,
  ctx: AppContext,
  route: { params: Record<string, string>; query: URLSearchParams },
) => void | Cleanup | Promise<void | Cleanup>;
