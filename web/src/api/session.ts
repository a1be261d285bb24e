/**
 * The logged-in session: kept in `localStorage['dojo.session']`, its access token refreshed through the
 * refresh grant before it expires and after a 401 — one refresh in flight at a time, because the server
 * rotates refresh tokens and presenting a used one revokes the whole family. A failed refresh ends the
 * session (the app's `onEnded` sends the user to the login page).
 */
export const SESSION_KEY = 'dojo.session';
/** Refresh this long before the access token expires, so a request never leaves with a stale one. */
const EARLY_MS = 30_000;

export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  userId: string;
  tenantId: string;
}

/** What pages (and the room) get: who is logged in and a token that is always fresh. */
export interface Session {
  readonly userId: string;
  readonly tenantId: string;
  accessToken(): Promise<string>;
  /** '' when the API is the page's own origin. */
  readonly apiBase: string;
}

export interface SessionStoreOptions {
  apiBase: string;
  storage: Storage;
  fetchImpl?: typeof fetch;
  now?: () => number;
  /** Called once when a refresh fails or the user logs out. */
  onEnded?: () => void;
}

export class SessionEnded extends Error {
  constructor() {
    super('Your session has ended. Please log in again.');
    this.name = 'SessionEnded';
  }
}

export function parseStored(text: string | null): StoredSession | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<StoredSession>;
    if (
      typeof v.accessToken === 'string' &&
      typeof v.refreshToken === 'string' &&
      typeof v.expiresAt === 'number' &&
      typeof v.userId === 'string' &&
      typeof v.tenantId === 'string'
    )
      return v as StoredSession;
  } catch {
    // A corrupt entry is the same as none.
  }
  return undefined;
}

export class SessionStore {
  readonly apiBase: string;
  private readonly options: SessionStoreOptions;
  private inFlight: Promise<StoredSession> | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;

  constructor(options: SessionStoreOptions) {
    this.options = options;
    this.apiBase = options.apiBase;
    this.fetchImpl = options.fetchImpl ?? fetch.bind(globalThis);
    this.now = options.now ?? Date.now;
  }

  current(): StoredSession | undefined {
    return parseStored(this.options.storage.getItem(SESSION_KEY));
  }

  /** Stores a login's answer. */
  start(login: {
    userId: string;
    tenantId: string;
    token: string;
    refreshToken: string;
    expiresIn: number;
  }): Session {
    this.save({
      accessToken: login.token,
      refreshToken: login.refreshToken,
      expiresAt: this.now() + login.expiresIn * 1000,
      userId: login.userId,
      tenantId: login.tenantId,
    });
    return this.session()!;
  }

  /** The `Session` view of what is stored, or undefined when nobody is logged in. */
  session(): Session | undefined {
    const s = this.current();
    if (!s) return undefined;
    return {
      userId: s.userId,
      tenantId: s.tenantId,
      apiBase: this.apiBase,
      accessToken: async () => {
        const token = await this.token();
        if (!token) throw new SessionEnded();
        return token;
      },
    };
  }

  /** A usable access token (refreshing first if it is about to expire), or undefined when logged out. */
  async token(): Promise<string | undefined> {
    const s = this.current();
    if (!s) return undefined;
    if (s.expiresAt - EARLY_MS > this.now()) return s.accessToken;
    return (await this.refresh()).accessToken;
  }

  /**
   * After a 401 for `refused`: a new token — the one refresh in flight, or the token another request's
   * refresh already stored (concurrent 401s must not rotate twice).
   */
  async refreshed(refused: string): Promise<string | undefined> {
    const s = this.current();
    if (!s) return undefined;
    if (this.inFlight) return (await this.inFlight).accessToken;
    if (s.accessToken !== refused && s.expiresAt - EARLY_MS > this.now()) return s.accessToken;
    return (await this.refresh()).accessToken;
  }

  refresh(): Promise<StoredSession> {
    this.inFlight ??= this.doRefresh().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Forgets the session locally (the caller has told the server, or the server has refused it). */
  end(): void {
    const had = this.current() !== undefined;
    this.options.storage.removeItem(SESSION_KEY);
    if (had) this.options.onEnded?.();
  }

  private async doRefresh(): Promise<StoredSession> {
    const s = this.current();
    if (!s) throw new SessionEnded();
    const before = s.refreshToken;
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.apiBase}/v1/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: s.refreshToken }),
      });
    } catch (error) {
      // Offline is not logged out: keep the session, let the caller show the network error.
      throw error instanceof Error ? error : new Error(String(error));
    }
    if (!res.ok) {
      // Another tab may have rotated the token meanwhile: its result is in storage, and ours is stale.
      const latest = this.current();
      if (latest && latest.refreshToken !== before) return latest;
      this.end();
      throw new SessionEnded();
    }
    const body = (await res.json()) as { access_token: string; refresh_token: string; expires_in: number };
    const next: StoredSession = {
      ...s,
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      expiresAt: this.now() + body.expires_in * 1000,
    };
    this.save(next);
    return next;
  }

  private save(s: StoredSession): void {
    this.options.storage.setItem(SESSION_KEY, JSON.stringify(s));
  }
}
