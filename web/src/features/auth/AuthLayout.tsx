import { useEffect, useRef, type ReactNode } from 'react';
import { LanguageSelect } from '../shell/LanguageSelect.js';

/** The calm, centred frame of every page a person sees before they are in an organization. */
export function AuthLayout({ title, intro, children, testId }: { title: string; intro?: ReactNode; children: ReactNode; testId?: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => { heading.current?.focus({ preventScroll: true }); }, []);
  return (
    <div className="auth-layout">
      <header className="auth-top">
        <span className="brand">Visage</span>
        <LanguageSelect />
      </header>
      <main className="auth-card" data-testid={testId}>
        <h1 ref={heading} tabIndex={-1}>{title}</h1>
        {intro && <p className="intro">{intro}</p>}
        {children}
      </main>
    </div>
  );
}
