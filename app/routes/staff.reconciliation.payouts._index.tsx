import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { NothingHere, PayoutsTable } from "~/components/reconciliation-ui";
import { listPayouts } from "~/reconciliation/processor-money.server";

export const meta: MetaFunction = () => [{ title: "Payouts · Reconciliation · Settle back office" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  return { payouts: await listPayouts() };
}

export default function Payouts() {
  const { payouts } = useLoaderData<typeof loader>();
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Payouts</h1>
          <p>What Stripe sends to the bank account: the payments it took, less refunds, fees and chargebacks. Each payout should add up, and should appear as one line on a bank statement.</p>
        </div>
      </header>
      <section className="card" aria-labelledby="payouts-heading">
        <h2 id="payouts-heading" className="visually-hidden">
          Latest payouts
        </h2>
        {payouts.length === 0 ? <NothingHere>No payouts yet. Stripe reports them here as they are made.</NothingHere> : <PayoutsTable payouts={payouts} />}
      </section>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
