import { useCallback, useEffect, useState } from 'react';
import { api, asApiError, query, type ApiError } from './api.js';

export interface Paged<T> {
  items: T[];
  error: ApiError | undefined;
  loading: boolean;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

/**
 * A cursor-paginated list (`{items, next_cursor}`): the first page of `path` with `params`, then
 * "load more" appends the next. Changing the path or params starts over.
 */
export function usePaged<T>(path: string, params: Record<string, string | undefined> = {}, limit = 50): Paged<T> {
  const key = path + query({ ...params, limit });
  const [state, setState] = useState<{ items: T[]; next: string | null; error?: ApiError; loading: boolean }>({ items: [], next: null, loading: true });
  const [version, setVersion] = useState(0);

  const fetchPage = useCallback((cursor: string | null) => api<{ items: T[]; next_cursor: string | null }>(
    'GET', key + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''),
  ), [key]);

  useEffect(() => {
    let live = true;
    setState({ items: [], next: null, loading: true });
    fetchPage(null).then(
      (p) => live && setState({ items: p.items, next: p.next_cursor, loading: false }),
      (err: unknown) => live && setState({ items: [], next: null, error: asApiError(err), loading: false }),
    );
    return () => { live = false; };
  }, [fetchPage, version]);

  const loadMore = useCallback(() => {
    if (!state.next || state.loading) return;
    setState((s) => ({ ...s, loading: true }));
    fetchPage(state.next).then(
      (p) => setState((s) => ({ items: [...s.items, ...p.items], next: p.next_cursor, loading: false })),
      (err: unknown) => setState((s) => ({ ...s, error: asApiError(err), loading: false })),
    );
  }, [fetchPage, state.next, state.loading]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { items: state.items, error: state.error, loading: state.loading, hasMore: state.next !== null, loadMore, reload };
}
