import type { ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";
import { useId } from "react";
import { formatDateTime } from "~/utils/format";
import { disputeStatusLabels, disputeStatusTone, type DisputeStatus } from "./labels";

export function DisputeStatusBadge({ status }: { status: DisputeStatus }) {
  return <span className={`badge ${disputeStatusTone[status]}`.trim()}>{disputeStatusLabels[status]}</span>;
}

/** A message of the thread as a page shows it: who wrote it is worded for the reader. */
export type ThreadMessage = { id: string; side: "customer" | "staff" | "system"; author: string; body: string; createdAt: string | Date };

export function DisputeThread({ messages, ownSide }: { messages: ThreadMessage[]; ownSide: "customer" | "staff" }) {
  return (
    <ol className="dispute-thread">
      {messages.map((message) => (
        <li key={message.id} className={`dispute-message ${message.side}${message.side === ownSide ? " own" : ""}`}>
          <div className="dispute-message-head">
            <strong>{message.author}</strong>
            <time dateTime={new Date(message.createdAt).toISOString()}>{formatDateTime(message.createdAt)}</time>
          </div>
          <p>{message.body}</p>
        </li>
      ))}
    </ol>
  );
}

function useFieldIds(name: string, error?: string, hint?: ReactNode) {
  const id = `${name}-${useId()}`;
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return { id, describedBy };
}

function FieldFoot({ id, error, hint }: { id: string; error?: string; hint?: ReactNode }) {
  return (
    <>
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className="error" id={`${id}-error`} role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}

/** A labelled textarea with the same error and hint wiring as Field. */
export function TextAreaField({ label, name, error, hint, ...rest }: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; name: string; error?: string; hint?: ReactNode }) {
  const { id, describedBy } = useFieldIds(name, error, hint);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} name={name} rows={4} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...rest} />
      <FieldFoot id={id} error={error} hint={hint} />
    </div>
  );
}

/** A labelled select with the same error and hint wiring as Field. */
export function SelectField({ label, name, error, hint, children, ...rest }: SelectHTMLAttributes<HTMLSelectElement> & { label: string; name: string; error?: string; hint?: ReactNode }) {
  const { id, describedBy } = useFieldIds(name, error, hint);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...rest}>
        {children}
      </select>
      <FieldFoot id={id} error={error} hint={hint} />
    </div>
  );
}
