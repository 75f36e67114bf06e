import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert } from "~/components/forms";
import { formatMinor } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Home · Customer portal" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, customer } = await requirePortalUser(request);
  return {
    firstName: user.name.split(" ")[0] ?? user.name,
    customer: {
      name: customer.name,
      accountNumber: customer.accountNumber,
      currency: customer.currency,
      paymentTermsDays: customer.paymentTermsDays,
      earlyDiscountBps: customer.earlyDiscountBps,
      earlyDiscountDays: customer.earlyDiscountDays,
      creditLimit: customer.creditLimitMinor === null ? null : formatMinor(customer.creditLimitMinor, customer.currency),
      email: customer.email,
    },
  };
}

export default function PortalHome() {
  const { firstName, customer } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <>
      {params.get("welcome") ? <FormAlert tone="ok" message={`Welcome, ${firstName}. Your account is ready.`} /> : null}
      <header className="page-header">
        <div>
          <h1>Hello, {firstName}</h1>
          <p>Billing account of {customer.name}</p>
        </div>
      </header>
      <section className="card" aria-labelledby="account-heading">
        <h2 id="account-heading">Your account</h2>
        <dl className="details">
          <dt>Customer</dt>
          <dd>{customer.name}</dd>
          <dt>Account number</dt>
          <dd>{customer.accountNumber}</dd>
          <dt>Billing currency</dt>
          <dd>{customer.currency}</dd>
          <dt>Payment terms</dt>
          <dd>
            Pay within {customer.paymentTermsDays} days of the invoice date
            {customer.earlyDiscountBps > 0
              ? `; take ${customer.earlyDiscountBps / 100}% off when you pay within ${customer.earlyDiscountDays} days`
              : ""}
            .
          </dd>
          {customer.creditLimit ? (
            <>
              <dt>Credit limit</dt>
              <dd>{customer.creditLimit}</dd>
            </>
          ) : null}
          <dt>Invoices are sent to</dt>
          <dd>{customer.email ?? "—"}</dd>
        </dl>
      </section>
      <p className="muted">
        Balances, invoices and online payment will appear here as they are switched on. Manage your sign-in under{" "}
        <Link to="/portal/account">Account</Link>.
      </p>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
