import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A page with its heading. The heading takes focus when the page opens, so screen-reader and
 * keyboard users land on the new content after a client-side navigation.
 */
export function Page({ title, actions, children, testId }: { title: string; actions?: ReactNode; children: ReactNode; testId?: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => { heading.current?.focus({ preventScroll: true }); }, []);
  return (
    <section className="page" data-testid={testId}>
      <header className="page-header">
        <h1 ref={heading} tabIndex={-1}>{title}</h1>
        {actions && <div className="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export function Card({ title, children, testId }: { title?: string; children: ReactNode; testId?: string }) {
  return (
    <section className="card" data-testid={testId}>
      {title && <h2 className="card-title">{title}</h2>}
      {children}
    </section>
  );
}
