import { useEffect, type ComponentType } from 'react';
import { navigate, useLocation } from './lib/router.js';
import { query } from './lib/api.js';
import { useSession } from './session/session.js';
import { Loading } from './ui/feedback.js';
import { AppShell } from './features/shell/AppShell.js';
import { SignInPage } from './features/auth/SignInPage.js';
import { SignUpPage } from './features/auth/SignUpPage.js';
import { ForgotPasswordPage, ResetPasswordPage } from './features/auth/PasswordResetPages.js';
import { MagicLinkPage } from './features/auth/MagicLinkPage.js';
import { InvitePage } from './features/auth/InvitePage.js';
import { CreateOrganizationPage } from './features/auth/CreateOrganizationPage.js';

/** Pages opened from an emailed link: they work whether or not someone is signed in. */
const LINK_PAGES: Record<string, ComponentType> = {
  '/magic-link': MagicLinkPage,
  '/reset-password': ResetPasswordPage,
  '/invite': InvitePage,
};

const SIGNED_OUT_PAGES: Record<string, ComponentType> = {
  '/sign-in': SignInPage,
  // Where the server sends a failed identity-provider sign-in (`?error=`).
  '/login': SignInPage,
  '/sign-up': SignUpPage,
  '/forgot-password': ForgotPasswordPage,
};

/** Picks what to show from the session and the path; redirects keep the URL honest. */
export function App() {
  const { state } = useSession();
  const { path, params } = useLocation();
  const LinkPage = LINK_PAGES[path];
  const SignedOutPage = SIGNED_OUT_PAGES[path];
  const redirect = state.status === 'signed-out' && !LinkPage && !SignedOutPage
    ? `/sign-in${path === '/' ? '' : query({ next: path + (params.size ? `?${params}` : '') })}`
    : state.status === 'signed-in' && SignedOutPage ? '/' : null;
  useEffect(() => { if (redirect) navigate(redirect, { replace: true }); }, [redirect]);

  if (state.status === 'loading' || redirect) return <Loading />;
  if (LinkPage) return <LinkPage />;
  if (state.status === 'signed-out') return SignedOutPage ? <SignedOutPage /> : null;
  if (path === '/create-organization' || state.me.organizations.length === 0) return <CreateOrganizationPage />;
  return <AppShell />;
}
