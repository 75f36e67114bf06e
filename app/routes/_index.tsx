import type { MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getCompanySettings } from "~/settings/settings.server";

export const meta: MetaFunction = () => [
  { title: "Settle · Accounts receivable" },
  { name: "description", content: "See, pay and settle invoices online; keep receivables true in the back office." },
];

export async function loader() {
  const company = await getCompanySettings();
  return { companyName: company.companyName };
}

export default function Landing() {
  const { companyName } = useLoaderData<typeof loader>();
  return (
    <main className="landing">
      <section className="hero">
        <p className="badge brand">Settle for {companyName}</p>
        <h1>Invoices, statements and payments, settled.</h1>
        <p>
          Customers of {companyName} see what they owe and pay it in a few clicks. The accounts-receivable team keeps the books true
          and collects what is late.
        </p>
      </section>
      <div className="doors">
        <section className="door" aria-labelledby="portal-door">
          <h2 id="portal-door">Customer portal</h2>
          <ul>
            <li>Your balance, invoices and statements</li>
            <li>Pay online, or set up a payment plan</li>
            <li>Question an invoice line</li>
          </ul>
          <Link className="button" to="/portal">
            Sign in as a customer
          </Link>
        </section>
        <section className="door" aria-labelledby="staff-door">
          <h2 id="staff-door">Back office</h2>
          <ul>
            <li>Customers, contacts and invitations</li>
            <li>Collections, reconciliation and reports</li>
            <li>Every email and every change, on record</li>
          </ul>
          <Link className="button secondary" to="/staff">
            Sign in as staff
          </Link>
        </section>
      </div>
    </main>
  );
}
