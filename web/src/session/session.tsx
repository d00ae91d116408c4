/** Who is signed in and in which organization they act; the rest of the app reads it from here. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { actingOrg, api, ApiError, setUnauthenticatedHandler } from '../lib/api.js';
import { formatter, type Formatter } from '../lib/format.js';
import { isLang, useI18n } from '../i18n/i18n.js';

export interface User {
  id: string; email: string; full_name: string; phone: string | null; preferred_language: string;
  timezone: string | null; email_verified: boolean; default_org_id: string | null;
}
export interface OrgSummary { id: string; name: string; type: string; timezone: string; currency: string; locale: string; roles: string[] }
export interface Me { user: User; organizations: OrgSummary[]; acting_org_id: string | null; permissions: string[] }

type State = { status: 'loading' } | { status: 'signed-out' } | { status: 'signed-in'; me: Me };

interface Session {
  state: State;
  /** Re-reads /api/me, e.g. after sign-in or a profile change. */
  refresh: () => Promise<void>;
  switchOrg: (orgId: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

async function loadMe(): Promise<Me | null> {
  try {
    return await api<Me>('GET', '/api/me');
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 401) return null;
    // The remembered organization is no longer one of the user's: fall back to their default.
    if (err.code === 'not_a_member' || err.code === 'invalid_org_header') {
      actingOrg.set(null);
      return loadMe();
    }
    throw err;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading' });
  const { setLang } = useI18n();

  const refresh = useCallback(async () => {
    let me = await loadMe();
    // No default organization (say, the user left it): act in the first one they belong to, once.
    if (me && !me.acting_org_id && me.organizations[0] && !actingOrg.get()) {
      actingOrg.set(me.organizations[0].id);
      me = await loadMe();
    }
    if (!me) {
      setState({ status: 'signed-out' });
      return;
    }
    if (me.acting_org_id) actingOrg.set(me.acting_org_id);
    if (isLang(me.user.preferred_language)) setLang(me.user.preferred_language);
    setState({ status: 'signed-in', me });
  }, [setLang]);

  useEffect(() => {
    setUnauthenticatedHandler(() => setState({ status: 'signed-out' }));
    refresh().catch(() => setState({ status: 'signed-out' }));
  }, [refresh]);

  const value = useMemo<Session>(() => ({
    state,
    refresh,
    async switchOrg(orgId) {
      actingOrg.set(orgId);
      await refresh();
    },
    async signOut() {
      await api('POST', '/api/auth/logout').catch(() => undefined);
      actingOrg.set(null);
      setState({ status: 'signed-out' });
    },
  }), [state, refresh]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}

/** The signed-in view of the session; only used inside the app shell. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe needs a signed-in session');
  return state.me;
}

export function useActingOrg(): OrgSummary | undefined {
  const me = useMe();
  return me.organizations.find((o) => o.id === me.acting_org_id);
}

export function useCan(): (...anyOf: string[]) => boolean {
  const { permissions } = useMe();
  return (...anyOf) => anyOf.some((p) => permissions.includes(p));
}

/** Formats in the acting organization's locale, time zone and currency (browser defaults without one). */
export function useFormat(): Formatter {
  const org = useActingOrg();
  return useMemo(() => formatter(org ?? {
    locale: navigator.language, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone, currency: 'USD',
  }), [org]);
}
