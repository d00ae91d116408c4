import { Fragment, useId, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import { Link, navigate, useLocation } from '../../lib/router.js';
import { useT } from '../../i18n/i18n.js';
import { useCan, useMe, useSession } from '../../session/session.js';
import { EmptyState } from '../../ui/feedback.js';
import { Page } from '../../ui/layout.js';
import { useKeyboardScrollableTables } from '../../ui/scroll-regions.js';
import { LanguageSelect } from './LanguageSelect.js';
import { VerifyEmailBanner } from './VerifyEmailBanner.js';
import { findRoute, ROUTES, type AppRoute } from './routes.js';

/** The signed-in frame: header (organization, language, user), navigation and the current page. */
export function AppShell() {
  const t = useT();
  const me = useMe();
  const can = useCan();
  const { path } = useLocation();
  const route = findRoute(path);
  const allowed = (r: AppRoute) => r.anyOf.length === 0 || can(...r.anyOf);
  useKeyboardScrollableTables();
  return (
    <div className="shell">
      <a href="#main" className="skip-link">{t('shell.skip')}</a>
      <header className="topbar">
        <Link to="/" className="brand">Visage</Link>
        <OrgSwitcher />
        <div className="topbar-end">
          <LanguageSelect />
          <UserMenu />
        </div>
      </header>
      <div className="shell-body">
        <nav className="sidenav" aria-label={t('shell.navigation')} data-testid="main-nav">
          <NavGroup title={t('nav.group.work')} routes={ROUTES.filter((r) => r.group === 'work' && allowed(r))} current={route?.path ?? path} />
          <NavGroup title={t('nav.growth')} routes={ROUTES.filter((r) => r.group === 'growth' && allowed(r))} current={route?.path ?? path} />
          <NavGroup title={t('nav.group.settings')} routes={ROUTES.filter((r) => r.group === 'settings' && allowed(r))} current={route?.path ?? path} />
        </nav>
        <main id="main" className="main" tabIndex={-1}>
          {!me.user.email_verified && <VerifyEmailBanner />}
          {/* Keyed by organization: switching remounts the page, which reloads its data. */}
          <Fragment key={me.acting_org_id ?? 'none'}>
            {!route ? <NotFoundPage /> : allowed(route) ? route.render() : <NoAccessPage />}
          </Fragment>
        </main>
      </div>
    </div>
  );
}

function NavGroup({ title, routes, current }: { title: string; routes: AppRoute[]; current: string }) {
  const t = useT();
  const id = useId();
  if (!routes.length) return null;
  return (
    <div className="nav-group">
      <h2 id={id} className="nav-title">{title}</h2>
      <ul aria-labelledby={id}>
        {routes.map((r) => (
          <li key={r.path}>
            <Link to={r.path} aria-current={r.path === current ? 'page' : undefined} data-testid={`nav-${r.path.split('/').pop() || 'home'}`}>
              {t(r.label)}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The acting organization; the choice is remembered and sent as X-Org-Id on every call. */
function OrgSwitcher() {
  const t = useT();
  const me = useMe();
  const { switchOrg } = useSession();
  const id = useId();
  if (me.organizations.length === 0) return null;
  return (
    <div className="inline-field org-switcher">
      <label htmlFor={id}>{t('shell.organization')}</label>
      <select id={id} value={me.acting_org_id ?? ''} onChange={(e) => void switchOrg(e.target.value)} data-testid="org-switcher">
        {me.organizations.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
      </select>
    </div>
  );
}

/** A disclosure (not an ARIA menu): plain links and buttons; Escape, or focus or a click leaving it, closes it. */
function UserMenu() {
  const t = useT();
  const me = useMe();
  const { signOut } = useSession();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  const close = () => setOpen(false);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape' && open) { close(); button.current?.focus(); }
  };
  const onBlur = (e: FocusEvent<HTMLDivElement>) => {
    if (!e.currentTarget.contains(e.relatedTarget)) close();
  };
  return (
    <div className="user-menu" onKeyDown={onKeyDown} onBlur={onBlur}>
      <button ref={button} type="button" className="btn ghost" aria-expanded={open} aria-controls={panelId}
        onClick={() => setOpen(!open)} data-testid="user-menu">
        <span className="avatar" aria-hidden="true">{initials(me.user.full_name)}</span>
        <span className="user-name">{me.user.full_name}</span>
      </button>
      <div id={panelId} className="user-menu-panel" hidden={!open}>
        <p className="user-email">{me.user.email}</p>
        <Link to="/profile" onClick={close} data-testid="menu-profile">{t('nav.profile')}</Link>
        <Link to="/create-organization" onClick={close} data-testid="menu-new-org">{t('shell.new_org')}</Link>
        <button type="button" className="link-button" data-testid="sign-out"
          onClick={() => { close(); void signOut().then(() => navigate('/sign-in', { replace: true })); }}>
          {t('shell.sign_out')}
        </button>
      </div>
    </div>
  );
}

const initials = (name: string) => name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('');

function NoAccessPage() {
  const t = useT();
  return <Page title={t('noaccess.title')}><EmptyState title={t('noaccess.title')} testId="no-access"><p>{t('noaccess.body')}</p></EmptyState></Page>;
}

function NotFoundPage() {
  const t = useT();
  return <Page title={t('notfound.title')}><EmptyState title={t('notfound.title')} testId="not-found"><p><Link to="/">{t('notfound.home')}</Link></p></EmptyState></Page>;
}
