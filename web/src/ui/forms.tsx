/**
 * Forms: a submit handler that turns API problems into a summary alert (`detail`) and messages
 * next to the fields they name (`errors[].pointer`), labelled inputs, and a submit button that
 * shows progress.
 *
 * Which message a field shows: a field given a `pointer` shows the error for exactly that JSON
 * pointer (`/followup_rules/1/after_days`, one item of a list); a simple field shows the error for
 * `/name`, or else the first one under it (`/roles/0` for a checkbox group named roles).
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

/** A JSON pointer's path without the leading slash or a `#querystring`-style part: `/followup_rules/1/after_days` -> `followup_rules/1/after_days`. */
const pointerPath = (pointer: string): string => pointer.split('/').filter((s) => s && !s.startsWith('#')).join('/');

/**
 * The server's message for a field. With `pointer`, only an error at exactly that pointer
 * (`/followup_rules/1/after_days`); otherwise the error at `/name`, else the first under it.
 */
export function messageFor(error: ApiError | undefined, field: { name?: string; pointer?: string }): string | undefined {
  if (!error) return undefined;
  if (field.pointer !== undefined) {
    const want = pointerPath(field.pointer);
    return error.fieldErrors.find((e) => pointerPath(e.pointer) === want)?.message;
  }
  if (!field.name) return undefined;
  return error.fieldErrors.find((e) => pointerPath(e.pointer) === field.name)?.message ?? error.fieldMessage(field.name);
}

/** The server's message for a pointer in the enclosing form, for a control the kit does not draw. */
export function useFieldMessage(field: { name?: string; pointer?: string }): string | undefined {
  const { error } = useContext(FormStateContext);
  return messageFor(error, field);
}

/** A message about a whole part of the form (`/followup_rules`: "at most 10"), shown where the part is. */
export function FieldMessage({ pointer, testId = 'field-error' }: { pointer: string; testId?: string }) {
  const message = useFieldMessage({ pointer });
  return message ? <p className="field-error" role="alert" data-testid={testId}>{message}</p> : null;
}

function useFieldIds(name: string, hint?: string, pointer?: string) {
  const id = useId();
  const message = useFieldMessage({ name, pointer });
  const describedBy = [hint ? `${id}-hint` : '', message ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return { id, message, describedBy };
}

function FieldFrame({ id, label, hint, message, fieldClass, children }: {
  id: string; label: string; hint?: string; message?: string; fieldClass?: string; children: ReactNode;
}) {
  return (
    <div className={['field', fieldClass, message ? 'has-error' : ''].filter(Boolean).join(' ')}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && <p id={`${id}-hint`} className="hint">{hint}</p>}
      {message && <p id={`${id}-error`} className="field-error" data-testid="field-error">{message}</p>}
    </div>
  );
}

interface FieldProps {
  label: string; name: string; hint?: string; testId?: string;
  /** The JSON pointer whose message this field shows when it is not simply `/name`: `/followup_rules/1/after_days`. */
  pointer?: string;
  /** More classes for the field's wrapper (layout). */
  fieldClass?: string;
}

type InputProps = FieldProps & InputHTMLAttributes<HTMLInputElement>;

export function TextField({ label, name, hint, testId, pointer, fieldClass, ...input }: InputProps) {
  const { id, message, describedBy } = useFieldIds(name, hint, pointer);
  return (
    <FieldFrame id={id} label={label} hint={hint} message={message} fieldClass={fieldClass}>
      <input id={id} name={name} type="text" aria-invalid={message ? true : undefined} aria-describedby={describedBy} data-testid={testId} {...input} />
    </FieldFrame>
  );
}

type SelectProps = FieldProps & { children: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>;

export function SelectField({ label, name, hint, testId, pointer, fieldClass, children, ...select }: SelectProps) {
  const { id, message, describedBy } = useFieldIds(name, hint, pointer);
  return (
    <FieldFrame id={id} label={label} hint={hint} message={message} fieldClass={fieldClass}>
      <select id={id} name={name} aria-invalid={message ? true : undefined} aria-describedby={describedBy} data-testid={testId} {...select}>{children}</select>
    </FieldFrame>
  );
}

type TextAreaProps = FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>;

/** A labelled multi-line field with the server's message for it. */
export function TextAreaField({ label, name, hint, testId, pointer, fieldClass, rows = 3, ...area }: TextAreaProps) {
  const { id, message, describedBy } = useFieldIds(name, hint, pointer);
  return (
    <FieldFrame id={id} label={label} hint={hint} message={message} fieldClass={fieldClass}>
      <textarea id={id} name={name} rows={rows} aria-invalid={message ? true : undefined} aria-describedby={describedBy} data-testid={testId} {...area} />
    </FieldFrame>
  );
}

/** One checkbox (FormData gives "on" when ticked) with the server's message for it. */
export function CheckboxField({ label, name, hint, testId, pointer, fieldClass, ...input }: InputProps) {
  const { id, message, describedBy } = useFieldIds(name, hint, pointer);
  return (
    <div className={['field', fieldClass, message ? 'has-error' : ''].filter(Boolean).join(' ')}>
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
  const message = useFieldMessage({ name });
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
