import { useEffect, useRef, useState } from 'react';
import { api, asApiError, type ApiError } from '../../lib/api.js';
import { Link, navigate, useLocation } from '../../lib/router.js';
import { useT } from '../../i18n/i18n.js';
import { useSession } from '../../session/session.js';
import { ErrorAlert, Loading } from '../../ui/feedback.js';
import { AuthLayout } from './AuthLayout.js';

/** Opened from the emailed link: /magic-link?token=... signs in once, then opens the app. */
export function MagicLinkPage() {
  const t = useT();
  const { refresh } = useSession();
  const { params } = useLocation();
  const token = params.get('token') ?? '';
  const [error, setError] = useState<ApiError | null>(null);
  // The token works once: never send it twice, even if the effect runs again.
  const sent = useRef(false);
  useEffect(() => {
    if (sent.current || !token) return;
    sent.current = true;
    api('POST', '/api/auth/magic-link/consume', { token })
      .then(() => refresh())
      .then(() => navigate('/', { replace: true }))
      .catch((err: unknown) => setError(asApiError(err)));
  }, [token, refresh]);
  return (
    <AuthLayout title={t('magic.consume_title')} testId="magic-link-page">
      {!token ? <p>{t('magic.no_token')}</p> : error ? <ErrorAlert error={error} /> : <Loading />}
      {(error || !token) && <p className="switch-auth"><Link to="/sign-in">{t('common.back_to_signin')}</Link></p>}
    </AuthLayout>
  );
}
