import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { StatementPeriodForm } from "~/components/statement-period-form";
import { StatementView } from "~/components/statement-view";
import { getCustomer } from "~/customers/customers.server";
import { getStatement } from "~/documents/statement.server";
import { parseStatementQuery, quickPeriods, statementKinds, statementSearch, type StatementKind, type StatementQuery } from "~/documents/statement-params";
import { today } from "~/utils/dates";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Statement · ${data?.customer.name ?? "Customer"} · Settle back office` }];

const paramsSchema = z.object({ customerId: z.uuid() });

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const parsedParams = paramsSchema.safeParse(params);
  invariantResponse(parsedParams.success, "Customer not found");
  const { customerId } = parsedParams.data;
  const search = new URL(request.url).searchParams;
  const now = today();
  const parsed = parseStatementQuery(search, now);
  const periods = quickPeriods(now);
  if (!parsed.ok) {
    // The form comes back with what was typed and a message on the field; no statement is drawn.
    const found = await getCustomer(customerId);
    invariantResponse(found, "Customer not found");
    const { id, name, accountNumber } = found.customer;
    const typed: StatementQuery = { kind: search.get("kind") === "open_item" ? "open_item" : "activity", from: search.get("from") ?? "", to: search.get("to") ?? "", asOf: search.get("asOf") ?? "" };
    return data({ customer: { id, name, accountNumber }, values: typed, errors: parsed.errors, statement: null, downloads: null, periods }, { status: 400 });
  }
  const statement = await getStatement(customerId, parsed.query);
  invariantResponse(statement, "Customer not found");
  const { id, name, accountNumber } = statement.customer;
  return { customer: { id, name, accountNumber }, values: parsed.query, errors: {}, statement, downloads: statementSearch(parsed.query), periods };
}

export default function CustomerStatement() {
  const { customer, values, errors, statement, downloads, periods } = useLoaderData<typeof loader>();
  const fieldErrors: Record<string, string | undefined> = errors;
  const tabSearch = (kind: StatementKind) => new URLSearchParams(kind === "activity" ? { kind, from: values.from, to: values.to } : { kind, asOf: values.asOf }).toString();
  const base = `/staff/customers/${customer.id}/statement`;
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/customers">Customers</Link> / <Link to={`/staff/customers/${customer.id}`}>{customer.accountNumber}</Link> / Statement
          </p>
          <h1>{customer.name}: statement</h1>
        </div>
        {downloads ? (
          <div className="actions">
            <a className="button secondary" href={`${base}.pdf?${downloads}`} download>
              Download PDF
            </a>
            <a className="button secondary" href={`${base}.csv?${downloads}`} download>
              Download CSV
            </a>
          </div>
        ) : null}
      </header>

      <section className="card statement-controls" aria-label="Statement options">
        <nav className="tabs" aria-label="Statement kind">
          {(Object.keys(statementKinds) as StatementKind[]).map((kind) => (
            <Link key={kind} to={`?${tabSearch(kind)}`} aria-current={values.kind === kind ? "page" : undefined}>
              {statementKinds[kind]}
            </Link>
          ))}
        </nav>
        <StatementPeriodForm values={values} errors={fieldErrors} periods={periods} />
      </section>

      {statement ? (
        <section className="card">
          <StatementView statement={statement} invoiceHref={(invoiceId) => `/staff/invoices/${invoiceId}`} />
        </section>
      ) : null}
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
