/** Boots the app: the session store, the typed API, live events and the router. */
import './styles/base.css';
import './styles/content.css';
import './styles/forms.css';
import './styles/shell.css';
import { createApi } from './api/client.ts';
import { SessionStore } from './api/session.ts';
import type { AppContext, Profile } from './app.ts';
import { Live } from './live.ts';
import { startRouter } from './router.ts';
import { notFoundPage, routes } from './routes.ts';

const root = document.getElementById('app')!;
const apiBase = '';
let profile: Promise<Profile> | undefined;

const navigate = (path: string, options: { replace?: boolean } = {}) => {
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.scrollTo(0, 0);
  window.dispatchEvent(new Event('dojo:navigate'));
};

const sessions = new SessionStore({
  apiBase,
  storage: localStorage,
  onEnded: () => {
    profile = undefined;
    live.disconnect();
    if (!location.pathname.startsWith('/login')) navigate('/login?ended=1', { replace: true });
  },
});
const api = createApi(apiBase, sessions);
const live = new Live(sessions, location.origin);

const ctx: AppContext = {
  api,
  sessions,
  session: () => sessions.session(),
  navigate,
  live,
  profile: () =>
    (profile ??= api.get('/v1/account/profile').catch((e: unknown) => {
      profile = undefined;
      throw e;
    })),
  refreshProfile: () => (profile = api.get('/v1/account/profile')),
  logout: async () => {
    live.disconnect();
    await api.post('/v1/logout', { body: {} }).catch(() => undefined);
    profile = undefined;
    sessions.end();
  },
};

// Another tab logged in or out: follow it.
window.addEventListener('storage', (event) => {
  if (event.key === 'dojo.session' && !event.newValue) sessions.end();
});

startRouter(root, ctx, routes, notFoundPage);
