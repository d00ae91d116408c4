import { useState } from 'react';
import { useT } from '../i18n/i18n.js';

/**
 * A destructive action that asks once more in place (no modal dialog): the first press shows the
 * question with confirm and cancel buttons; a refusal from the API is shown beside them.
 */
export function ConfirmButton({ label, question, onConfirm, testId }: {
  label: string; question: string; onConfirm: () => Promise<unknown>; testId?: string;
}) {
  const t = useT();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!confirming) {
    return <button type="button" className="btn small danger-outline" onClick={() => setConfirming(true)} data-testid={testId}>{label}</button>;
  }
  const confirm = () => onConfirm().catch((err: Error) => setError(err.message || t('error.generic')));
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button type="button" className="btn small danger" autoFocus onClick={() => void confirm()} data-testid={testId && `${testId}-confirm`}>{label}</button>
      <button type="button" className="btn small secondary" onClick={() => { setConfirming(false); setError(null); }}>{t('common.cancel')}</button>
      {error && <span className="field-error" role="alert">{error}</span>}
    </span>
  );
}
