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

/** A labelled input with its hint and its field issue, linked for assistive technology. */
export function Field({ label, name, error, hint, ...input }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const issue = issueFor(error, name);
  const described = [hint ? `${id}-hint` : null, issue ? `${id}-issue` : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        aria-invalid={issue ? true : undefined}
        aria-describedby={described || undefined}
        {...input}
      />
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
  const id = useId();
  const issue = issueFor(error, name);
  const described = [hint ? `${id}-hint` : null, issue ? `${id}-issue` : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        name={name}
        aria-invalid={issue ? true : undefined}
        aria-describedby={described || undefined}
        {...input}
      />
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
    </div>
  );
}

/** A form field's text value (FormData holds strings for text inputs). */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}
