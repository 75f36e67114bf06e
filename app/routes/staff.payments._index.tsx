import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Pager } from "~/components/pager";
import { Money } from "~/components/money";
import { getCustomer } from "~/customers/customers.server";
import { paymentAvailable } from "~/ledger/applications.server";
import { listPayments, methodLabels } from "~/ledger/payments.server";
import { formatDate } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction = () => [{ title: "Payments · Settle back office" }];

const searchSchema = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  unapplied: z.literal("1").optional().catch(undefined),
  after: z.string().max(200).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const params = new URL(request.url).searchParams;
  const { q, unapplied, after } = searchSchema.parse(Object.fromEntries(params));
  const customerId = params.get("customerId");
  const customerParam = z.uuid().optional().safeParse(customerId ?? undefined);
  invariantResponse(customerParam.success, "Customer not found");
  const customer = customerParam.data ? await getCustomer(customerParam.data) : null;
  invariantResponse(!customerParam.data || customer, "Customer not found");
  const { payments, nextCursor } = await listPayments({ q: q || undefined, customerId: customerParam.data, unappliedOnly: unapplied === "1", after });
  return {
    payments: payments.map((payment) => ({ ...payment, unappliedMinor: paymentAvailable(payment), methodLabel: methodLabels[payment.method] })),
    nextCursor,
    customer: customer ? { id: customer.customer.id, name: customer.customer.name } : null,
    canRecord: hasRole(user, "clerk"),
  };
}

export default function PaymentList() {
  const { payments, nextCursor, customer, canRecord } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const q = params.get("q") ?? "";
  const unapplied = params.get("unapplied") === "1";
  const filters = new URLSearchParams([...params].filter(([key]) => key !== "after"));
  return (
    <>
      <header className="page-header">
        <div>
          {customer ? (
            <p className="muted">
              <Link to={`/staff/customers/${customer.id}`}>{customer.name}</Link> / Payments
            </p>
          ) : null}
          <h1>Payments</h1>
          <p>Money received, what it paid and what is left as credit.</p>
        </div>
        {canRecord ? (
          <Link to={customer ? `/staff/payments/new?customerId=${customer.id}` : "/staff/payments/new"} className="button">
            Record a payment
          </Link>
        ) : null}
      </header>
      <Form method="get" className="filters" role="search">
        {customer ? <input type="hidden" name="customerId" value={customer.id} /> : null}
        <div className="field">
          <label htmlFor="payments-q">Search</label>
          <input id="payments-q" type="search" name="q" defaultValue={q} placeholder="Reference, customer or account" />
        </div>
        <label className="check-filter">
          <input type="checkbox" name="unapplied" value="1" defaultChecked={unapplied} /> Unapplied only
        </label>
        <button type="submit" className="button secondary">
          Filter
        </button>
        {customer ? (
          <Link to="/staff/payments" className="button link">
            All customers
          </Link>
        ) : null}
      </Form>
      <div className="card table-wrap" style={{ padding: 0 }}>
        <table className="payments-table">
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">Customer</th>
              <th scope="col">Method</th>
              <th scope="col">Reference</th>
              <th scope="col" className="num">
                Amount
              </th>
              <th scope="col" className="num">
                Unapplied
              </th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {payments.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted">
                  {q || unapplied || customer ? "No payments match these filters." : "No payments recorded yet."}
                </td>
              </tr>
            ) : (
              payments.map((payment) => (
                <tr key={payment.id}>
                  <td className="nowrap">
                    <Link to={`/staff/payments/${payment.id}`}>{formatDate(payment.receivedOn)}</Link>
                  </td>
                  <td>
                    {payment.customerName} <span className="muted">{payment.accountNumber}</span>
                  </td>
                  <td>{payment.methodLabel}</td>
                  <td>{payment.reference ?? <span className="muted">—</span>}</td>
                  <td className="num">
                    <Money minor={payment.amountMinor} currency={payment.currency} />
                  </td>
                  <td className="num">{payment.unappliedMinor > 0 ? <Money minor={payment.unappliedMinor} currency={payment.currency} /> : <span className="muted">—</span>}</td>
                  <td>{payment.status === "reversed" ? <span className="badge danger">Reversed</span> : <span className="badge ok">Received</span>}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Pager first={params.get("after") ? `?${filters}` : null} next={nextCursor ? `?${new URLSearchParams([...filters, ["after", nextCursor]])}` : null} />
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
