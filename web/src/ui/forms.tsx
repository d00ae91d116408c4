/**
 * Forms: a submit handler that turns API problems into a summary alert (`detail`) and messages
 * next to the fields they name (`errors[].pointer`), labelled inputs, and a submit button that
 * shows progress.
 */
import { createContext, useContext, useId, useState, type FormEvent, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { ApiError, asApiError } from '../lib/api.js';
import { useT } from '../i18n/i18n.js';
import { ErrorAlert } from './feedback.js';

interface FormState { pending: boolean; error: ApiError | undefined }
const FormStateContext = createContext<FormState>({ pending: false, error: undefined });

export function Form({ action, children, testId, className }: {
  /** Runs on submit with the form's values; a thrown API error is shown in the form. */
  action: (data: FormData, form: HTMLFormElement) => Promise<void>;
  children: ReactNode;
  testId?: string;
  className?: string;
}) {
  const [state, setState] = useState<FormState>({ pending: false, error: undefined });
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    setState({ pending: true, error: undefined });
    try {
      await action(new FormData(form), form);
      setState({ pending: false, error: undefined });
    } catch (err) {
      setState({ pending: false, error: asApiError(err) });
    }
  }
  return (
    <FormStateContext.Provider value={state}>
      <form onSubmit={submit} className={className ?? 'form'} data-testid={testId} aria-busy={state.pending}>
        {state.error && <ErrorAlert error={state.error} />}
        {children}
      </form>
    </FormStateContext.Provider>
  );
}

/** A check made in the browser before calling the API, reported like the API's own field errors. */
export function fieldError(field: string, message: string): ApiError {
  return new ApiError(422, 'invalid_input', message, [{ pointer: `/${field}`, message }]);
}

/** Reads a text value from form data ('' when absent). */
export const text = (data: FormData, name: string): string => String(data.get(name) ?? '').trim();

function useFieldIds(name: string, hint?: string) {
  const id = useId();
  const { error } = useContext(FormStateContext);
  const message = error?.fieldMessage(name);
  const describedBy = [hint ? `${id}-hint` : '', message ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return { id, message, describedBy };
}

function FieldFrame({ id, label, hint, message, children }: { id: string; label: string; hint?: string; message?: string; children: ReactNode }) {
  return (
    <div className={message ? 'field has-error' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && <p id={`${id}-hint`} className="hint">{hint}</p>}
      {message && <p id={`${id}-error`} className="field-error" data-testid="field-error">{message}</p>}
    </div>
  );
}

type InputProps = { label: string; name: string; hint?: string; testId?: string } & InputHTMLAttributes<HTMLInputElement>;

export function TextField({ label, name, hint, testId, ...input }: InputProps) {
  const { id, message, describedBy } = useFieldIds(name, hint);
  return (
    <FieldFrame id={id} label={label} hint={hint} message={message}>
      <input id={id} name={name} type="text" aria-invalid={message ? true : undefined} aria-describedby={describedBy} data-testid={testId} {...input} />
    </FieldFrame>
  );
}

type SelectProps = { label: string; name: string; hint?: string; testId?: string; children: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>;

export function SelectField({ label, name, hint, testId, children, ...select }: SelectProps) {
  const { id, message, describedBy } = useFieldIds(name, hint);
  return (
    <FieldFrame id={id} label={label} hint={hint} message={message}>
      <select id={id} name={name} aria-invalid={message ? true : undefined} aria-describedby={describedBy} data-testid={testId} {...select}>{children}</select>
    </FieldFrame>
  );
}

type TextAreaProps = { label: string; name: string; hint?: string; testId?: string } & TextareaHTMLAttributes<HTMLTextAreaElement>;

/** A labelled multi-line field with the server's message for it. */
export function TextAreaField({ label, name, hint, testId, rows = 3, ...area }: TextAreaProps) {
  const { id, message, describedBy } = useFieldIds(name, hint);
  return (
    <FieldFrame id={id} label={label} hint={hint} message={message}>
      <textarea id={id} name={name} rows={rows} aria-invalid={message ? true : undefined} aria-describedby={describedBy} data-testid={testId} {...area} />
    </FieldFrame>
  );
}

/** One checkbox (FormData gives "on" when ticked) with the server's message for it. */
export function CheckboxField({ label, name, hint, testId, ...input }: InputProps) {
  const { id, message, describedBy } = useFieldIds(name, hint);
  return (
    <div className={message ? 'field has-error' : 'field'}>
      <label className="checkbox" htmlFor={id}>
        <input id={id} name={name} type="checkbox" aria-invalid={message ? true : undefined} aria-describedby={describedBy} data-testid={testId} {...input} />
        <span>{label}</span>
      </label>
      {hint && <p id={`${id}-hint`} className="hint">{hint}</p>}
      {message && <p id={`${id}-error`} className="field-error" data-testid="field-error">{message}</p>}
    </div>
  );
}

/** A group of checkboxes sharing one name; FormData.getAll(name) gives the checked values. */
export function CheckboxGroup({ legend, name, options, checked, testId }: {
  legend: string; name: string; options: { value: string; label: string; hint?: string }[]; checked: string[]; testId?: string;
}) {
  const { error } = useContext(FormStateContext);
  const message = error?.fieldMessage(name);
  return (
    <fieldset className="checkbox-group" data-testid={testId}>
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className="checkbox">
          <input type="checkbox" name={name} value={o.value} defaultChecked={checked.includes(o.value)} />
          <span>{o.label}{o.hint && <small className="hint"> — {o.hint}</small>}</span>
        </label>
      ))}
      {message && <p className="field-error" role="alert">{message}</p>}
    </fieldset>
  );
}

export function SubmitButton({ children, testId, variant = 'primary' }: { children: ReactNode; testId?: string; variant?: 'primary' | 'secondary' | 'danger' }) {
  const { pending } = useContext(FormStateContext);
  const t = useT();
  return (
    <button type="submit" className={`btn ${variant}`} disabled={pending} data-testid={testId}>
      {pending ? t('common.working') : children}
    </button>
  );
}
