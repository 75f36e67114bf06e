import { useNavigation } from "@remix-run/react";
import type { InputHTMLAttributes, ReactNode } from "react";
import { useId } from "react";

type FieldProps = InputHTMLAttributes<HTMLInputElement> & { label: string; name: string; error?: string; hint?: ReactNode };

/** A labelled input whose error is announced and tied to it with aria-describedby. */
export function Field({ label, name, error, hint, id, ...input }: FieldProps) {
  const generated = useId();
  const inputId = id ?? `${name}-${generated}`;
  const errorId = `${inputId}-error`;
  const hintId = `${inputId}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input id={inputId} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint ? (
        <span className="hint" id={hintId}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className="error" id={errorId} role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}

export function SubmitButton({ children, className = "button", name, value }: { children: ReactNode; className?: string; name?: string; value?: string }) {
  const navigation = useNavigation();
  const busy = navigation.state === "submitting" && (name === undefined || navigation.formData?.get(name) === value);
  return (
    <button type="submit" className={className} disabled={busy} name={name} value={value}>
      {children}
    </button>
  );
}

export function FormAlert({ message, tone = "error" }: { message?: string | null; tone?: "error" | "ok" | "info" }) {
  if (!message) return null;
  return (
    <div className={`alert ${tone}`} role={tone === "error" ? "alert" : "status"}>
      {message}
    </div>
  );
}
