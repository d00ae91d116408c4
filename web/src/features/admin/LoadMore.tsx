import { useT } from '../../i18n/i18n.js';
import type { Paged } from '../../lib/usePaged.js';

/** The "load more" button under a cursor-paginated list; gone on the last page. */
export function LoadMore({ list, testId }: { list: Paged<unknown>; testId?: string }) {
  const t = useT();
  if (!list.hasMore) return null;
  return (
    <div className="load-more">
      <button type="button" className="btn secondary" onClick={list.loadMore} disabled={list.loading} data-testid={testId}>
        {list.loading ? t('common.loading') : t('common.load_more')}
      </button>
    </div>
  );
}
