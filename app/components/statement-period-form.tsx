import { Form, Link } from "@remix-run/react";
import { Field, FormAlert } from "./forms";

type Values = { kind: "activity" | "open_item"; from: string; to: string; asOf: string };

/** The statement's period (or as-of date) and the quick picks, as the back office and the portal ask for it. */
export function StatementPeriodForm({ values, errors, periods }: { values: Values; errors: Record<string, string | undefined>; periods: { label: string; from: string; to: string }[] }) {
  return (
    <>
      <FormAlert message={errors.kind} />
      <Form method="get" className="filters" noValidate>
        <input type="hidden" name="kind" value={values.kind} />
        {values.kind === "activity" ? (
          <>
            <Field label="From" name="from" type="date" defaultValue={values.from} error={errors.from} key={`from-${values.from}`} />
            <Field label="To" name="to" type="date" defaultValue={values.to} error={errors.to} key={`to-${values.to}`} />
          </>
        ) : (
          <Field label="As of" name="asOf" type="date" defaultValue={values.asOf} error={errors.asOf} key={`asOf-${values.asOf}`} />
        )}
        <button type="submit" className="button">
          Show statement
        </button>
      </Form>
      {values.kind === "activity" ? (
        <div className="actions" aria-label="Quick periods" role="group">
          <span className="muted">Quick picks:</span>
          {periods.map((period) => {
            const current = period.from === values.from && period.to === values.to;
            return (
              <Link key={period.label} className="button secondary small" to={`?${new URLSearchParams({ kind: "activity", from: period.from, to: period.to })}`} aria-current={current ? "true" : undefined}>
                {period.label}
              </Link>
            );
          })}
        </div>
      ) : null}
    </>
  );
}
