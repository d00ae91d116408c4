import { useEffect } from 'react';

/**
 * Keeps every wide table reachable by keyboard (WCAG 2.1.1): a `.table-wrap` whose content is wider
 * than itself becomes focusable while it overflows, so arrow keys can scroll it, and is named after
 * its table's label or caption. Watches the page, so tables that appear or grow later are covered.
 */
export function useKeyboardScrollableTables(): void {
  useEffect(() => {
    const mark = (el: HTMLElement) => {
      const overflows = el.scrollWidth > el.clientWidth + 1;
      if (overflows && el.tabIndex !== 0) {
        el.tabIndex = 0;
        const table = el.querySelector('table');
        const name = table?.getAttribute('aria-label') ?? table?.querySelector('caption')?.textContent?.trim();
        if (name && !el.hasAttribute('aria-label')) {
          el.setAttribute('role', 'region');
          el.setAttribute('aria-label', name);
        }
      } else if (!overflows && el.hasAttribute('tabindex')) {
        el.removeAttribute('tabindex');
      }
    };
    const sized = new ResizeObserver((entries) => { for (const e of entries) mark(e.target as HTMLElement); });
    const watched = new WeakSet<Element>();
    const scan = () => {
      for (const el of document.querySelectorAll<HTMLElement>('.table-wrap')) {
        if (!watched.has(el)) { watched.add(el); sized.observe(el); }
        mark(el);
      }
    };
    // Pages change the DOM on every render: look once per frame, not once per change.
    let frame = 0;
    const changed = new MutationObserver(() => { if (!frame) frame = requestAnimationFrame(() => { frame = 0; scan(); }); });
    changed.observe(document.body, { childList: true, subtree: true });
    scan();
    return () => { changed.disconnect(); sized.disconnect(); cancelAnimationFrame(frame); };
  }, []);
}
