/** Alerts, notices, loading and empty states shared by every page. */
import type { ReactNode } from 'react';
import type { ApiError } from '../lib/api.js';
import type { Resource } from '../lib/useApi.js';
import { useT } from '../i18n/i18n.js';

export function ErrorAlert({ error }: { error: ApiError }) {
  const t = useT();
  const message = error.status === 0 ? t('error.network') : error.detail || t('error.generic');
  return <div className="notice error" role="alert" data-testid="form-error">{message}</div>;
}

export function Notice({ tone = 'info', children, testId }: { tone?: 'info' | 'success' | 'warning'; children: ReactNode; testId?: string }) {
  return <div className={`notice ${tone}`} role="status" data-testid={testId}>{children}</div>;
}

export function Loading() {
  const t = useT();
  return <p className="loading" role="status">{t('common.loading')}</p>;
}

export function EmptyState({ title, children, testId }: { title: string; children?: ReactNode; testId?: string }) {
  return (
    <div className="empty-state" data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </div>
  );
}

/** Shows a resource's data, or its loading or error state. */
export function ResourceView<T>({ resource, children }: { resource: Resource<T>; children: (data: T) => ReactNode }) {
  if (resource.error) return <ErrorAlert error={resource.error} />;
  if (resource.data === undefined) return <Loading />;
  return <>{children(resource.data)}</>;
}
