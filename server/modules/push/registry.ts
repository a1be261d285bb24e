/** What a connected socket was authenticated as: the keys a revocation names. */
export interface SocketOwner {
  readonly userId: string;
  readonly sessionId: string;
  readonly jti: string;
}

/**
 * This node's connected sockets by user, session and access token (jti), so a revocation finds the
 * sockets it ends without a scan. Generic over the socket type: it only keeps references.
 */
export class SocketRegistry<S> {
  readonly #byUser = new Map<string, Set<S>>();
  readonly #bySession = new Map<string, Set<S>>();
  readonly #byJti = new Map<string, Set<S>>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(socket: S, owner: SocketOwner): void {
    if (this.#byJti.get(owner.jti)?.has(socket)) return;
    put(this.#byUser, owner.userId, socket);
    put(this.#bySession, owner.sessionId, socket);
    put(this.#byJti, owner.jti, socket);
    this.#size++;
  }

  remove(socket: S, owner: SocketOwner): void {
    if (!this.#byJti.get(owner.jti)?.has(socket)) return;
    drop(this.#byUser, owner.userId, socket);
    drop(this.#bySession, owner.sessionId, socket);
    drop(this.#byJti, owner.jti, socket);
    this.#size--;
  }

  /** Copies, so the caller may disconnect (and so remove) them while iterating. */
  ofUser(userId: string): S[] {
    return [...(this.#byUser.get(userId) ?? [])];
  }

  ofSession(sessionId: string): S[] {
    return [...(this.#bySession.get(sessionId) ?? [])];
  }

  ofToken(jti: string): S[] {
    return [...(this.#byJti.get(jti) ?? [])];
  }
}

function put<S>(map: Map<string, Set<S>>, key: string, socket: S): void {
  const set = map.get(key);
  if (set) set.add(socket);
  else map.set(key, new Set([socket]));
}

function drop<S>(map: Map<string, Set<S>>, key: string, socket: S): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(socket);
  if (set.size === 0) map.delete(key);
}
