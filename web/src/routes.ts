/**
 * Every page and its path. The small pages are in the first bundle; the live room (with CodeMirror and
 * the media code) is its own chunk, fetched when someone opens it.
 */
import type { Page } from './app.ts';
import type { Route } from './router.ts';
import { h } from './ui/dom.ts';
import { empty } from './ui/widgets.ts';
import { loginPage, logoutPage } from './pages/login.ts';
import { signupPage, confirmPage } from './pages/signup.ts';
import { profilePage } from './pages/profile.ts';
import { pocsPage } from './pages/pocs.ts';
import { pocFormPage } from './pages/poc-form.ts';
import { dojosPage } from './pages/dojos.ts';
import { dojoFormPage } from './pages/dojo-form.ts';
import { dojoPage } from './pages/dojo.ts';
import { notificationsPage } from './pages/notifications.ts';
import { membersPage } from './pages/members.ts';
import { billingPage } from './pages/billing.ts';
import { reportsPage } from './pages/reports.ts';
import { videosPage } from './pages/videos.ts';
import { livePage } from './pages/live-room.ts';

const home: Page = (_root, ctx) => ctx.navigate(ctx.session() ? '/pocs' : '/login', { replace: true });

export const routes: readonly Route[] = [
  { pattern: '/', page: () => home, public: true, title: 'Dojo' },
  { pattern: '/login', page: () => loginPage, public: true, title: 'Log in' },
  { pattern: '/logout', page: () => logoutPage, public: true, title: 'Log out' },
  { pattern: '/signup', page: () => signupPage, public: true, title: 'Sign up' },
  { pattern: '/confirm', page: () => confirmPage, public: true, title: 'Confirm your account' },
  { pattern: '/profile', page: () => profilePage, title: 'Profile' },
  { pattern: '/pocs', page: () => pocsPage, title: 'POCs' },
  { pattern: '/pocs/new', page: () => pocFormPage, title: 'New POC' },
  { pattern: '/pocs/:id', page: () => pocFormPage, title: 'Edit POC' },
  { pattern: '/dojos', page: () => dojosPage, title: 'Dojos' },
  { pattern: '/dojos/new', page: () => dojoFormPage, title: 'Schedule a dojo' },
  { pattern: '/dojos/:dojoId', page: () => dojoPage, title: 'Dojo' },
  { pattern: '/dojos/:dojoId/live', page: () => livePage, title: 'Live dojo' },
  { pattern: '/notifications', page: () => notificationsPage, title: 'Notifications' },
  { pattern: '/tenant/members', page: () => membersPage, title: 'Members' },
  { pattern: '/tenant/billing', page: () => billingPage, title: 'Plan & billing' },
  { pattern: '/tenant/reports', page: () => reportsPage, title: 'Reports' },
  { pattern: '/videos', page: () => videosPage, title: 'Year in review' },
];

export const notFoundPage: Page = (root) => {
  root.replaceChildren(
    h(
      'div',
      { class: 'auth' },
      empty(
        'Page not found',
        'There is nothing at this address.',
        h('a', { class: 'btn', href: '/' }, 'Go home'),
      ),
    ),
  );
};
