import { useCallback, useEffect, useState } from 'react';
import { api, asApiError, type ApiError } from './api.js';

export interface Resource<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (skipped while null) and keeps the latest answer; a change of path refetches. */
export function useApi<T>(path: string | null): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: path !== null });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api<T>('GET', path).then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState({ error: asApiError(error), loading: false }),
    );
    return () => { live = false; };
  }, [path, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { ...state, reload };
}
