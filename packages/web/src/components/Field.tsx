import { fieldIssues } from '@inkwell/client/react';
import { type InputHTMLAttributes, type TextareaHTMLAttributes, useId } from 'react';

/** The first field issue of `error` under `name` (or under `name.N`, for list fields). */
export function issueFor(error: unknown, name: string): string | undefined {
  const issues = fieldIssues(error);
  return issues[name] ?? Object.entries(issues).find(([path]) => path.startsWith(`${name}.`))?.[1];
}

interface FieldProps {
  label: string;
  name: string;
  /** The failed call whose field issues to show next to this field. */
  error?: unknown;
  hint?: string;
}

/** Ids linking a control to its hint and field issue, and the issue itself. */
function useFieldNotes(name: string, error: unknown, hint: string | undefined) {
  const id = useId();
  const issue = issueFor(error, name);
  const described = [hint ? `${id}-hint` : null, issue ? `${id}-issue` : null].filter(Boolean).join(' ');
  const control = { id, name, 'aria-invalid': issue ? true : undefined, 'aria-describedby': described || undefined };
  const notes = (
    <>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {issue ? (
        <p className="issue" id={`${id}-issue`}>
          {issue}
        </p>
      ) : null}
    </>
  );
  return { control, notes };
}

/** A labelled input with its hint and its field issue, linked for assistive technology. */
export function Field({ label, name, error, hint, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const { control, notes } = useFieldNotes(name, error, hint);
  return (
    <div className="field">
      <label htmlFor={control.id}>{label}</label>
      <input {...control} {...input} />
      {notes}
    </div>
  );
}

export function TextAreaField({
  label,
  name,
  error,
  hint,
  ...input
}: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const { control, notes } = useFieldNotes(name, error, hint);
  return (
    <div className="field">
      <label htmlFor={control.id}>{label}</label>
      <textarea {...control} {...input} />
      {notes}
    </div>
  );
}

/** A form field's text value (FormData holds strings for text inputs). */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}
