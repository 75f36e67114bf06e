import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { StatementPeriodForm } from "~/components/statement-period-form";
import { StatementView } from "~/components/statement-view";
import { getStatement } from "~/documents/statement.server";
import { parseStatementQuery, quickPeriods, statementSearch, type StatementKind, type StatementQuery } from "~/documents/statement-params";
import { today } from "~/utils/dates";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction = () => [{ title: "Statements · Customer portal" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { customer } = await requirePortalUser(request);
  const search = new URL(request.url).searchParams;
  const now = today();
  const parsed = parseStatementQuery(search, now);
  const periods = quickPeriods(now);
  if (!parsed.ok) {
    // The form comes back with what was typed and a message on the field; no statement is drawn.
    const typed: StatementQuery = { kind: search.get("kind") === "open_item" ? "open_item" : "activity", from: search.get("from") ?? "", to: search.get("to") ?? "", asOf: search.get("asOf") ?? "" };
    return data({ values: typed, errors: parsed.errors, statement: null, downloads: null, periods }, { status: 400 });
  }
  const statement = await getStatement(customer.id, parsed.query);
  invariantResponse(statement, "Account not found");
  return { values: parsed.query, errors: {}, statement, downloads: statementSearch(parsed.query), periods };
}

const kinds: { kind: StatementKind; label: string; text: string }[] = [
  { kind: "activity", label: "Account activity", text: "Every invoice, payment and credit in a period, with your balance after each." },
  { kind: "open_item", label: "What is open", text: "The invoices and credits not yet settled on a date, and how long each has been due." },
];

export default function PortalStatements() {
  const { values, errors, statement, downloads, periods } = useLoaderData<typeof loader>();
  const fieldErrors: Record<string, string | undefined> = errors;
  const tabSearch = (kind: StatementKind) => new URLSearchParams(kind === "activity" ? { kind, from: values.from, to: values.to } : { kind, asOf: values.asOf }).toString();
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Statements</h1>
          <p>Your account with us on one page, for any period. Download it for your records or your accountant.</p>
        </div>
        {downloads ? (
          <div className="actions">
            <a className="button secondary" href={`/portal/statements.pdf?${downloads}`} download>
              Download PDF
            </a>
            <a className="button secondary" href={`/portal/statements.csv?${downloads}`} download>
              Download CSV
            </a>
          </div>
        ) : null}
      </header>

      <section className="card statement-controls" aria-label="Statement options">
        <nav className="tabs" aria-label="Kind of statement">
          {kinds.map(({ kind, label }) => (
            <Link key={kind} to={`?${tabSearch(kind)}`} aria-current={values.kind === kind ? "page" : undefined}>
              {label}
            </Link>
          ))}
        </nav>
        <p className="muted">{kinds.find((k) => k.kind === values.kind)?.text}</p>
        <StatementPeriodForm values={values} errors={fieldErrors} periods={periods} />
      </section>

      {statement ? (
        <section className="card">
          <StatementView statement={statement} invoiceHref={(invoiceId) => `/portal/invoices/${invoiceId}`} />
        </section>
      ) : null}
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
