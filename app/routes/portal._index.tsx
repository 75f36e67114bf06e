import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import type { ReactNode } from "react";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert } from "~/components/forms";
import { Money } from "~/components/money";
import { formatBps } from "~/money/money";
import { portalOverview, portalStanding } from "~/portal/home.server";
import { getCompanySettings } from "~/settings/settings.server";
import { formatDate, formatTerms } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Home · Customer portal" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, customer } = await requirePortalUser(request);
  const [overview, standing, company] = await Promise.all([portalOverview(customer.id), portalStanding(customer.id), getCompanySettings()]);
  return {
    firstName: user.name.split(" ")[0] || user.name,
    canPay: user.role === "billing",
    companyName: company.companyName,
    customer: {
      name: customer.name,
      accountNumber: customer.accountNumber,
      currency: customer.currency,
      terms: formatTerms(customer),
      paymentTermsDays: customer.paymentTermsDays,
      earlyDiscount: customer.earlyDiscountBps > 0 ? { percent: formatBps(customer.earlyDiscountBps), days: customer.earlyDiscountDays } : null,
      email: customer.email,
    },
    overview,
    standing,
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function Figure({ label, minor, currency, hint, tone }: { label: string; minor: number; currency: string; hint: ReactNode; tone?: "danger" | "warn" }) {
  return (
    <div className={`stat${tone ? ` stat-${tone}` : ""}`}>
      <div className="label">{label}</div>
      <div className="value">
        <Money minor={minor} currency={currency} />
      </div>
      <p className="hint">{hint}</p>
    </div>
  );
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

/** Credit limit, hold and overdue in the customer's words, with a way forward from each. */
function Standing({ standing, overdueMinor, currency, canPay }: { standing: NonNullable<LoaderData["standing"]>; overdueMinor: number; currency: string; canPay: boolean }) {
  const good = !standing.onHold && overdueMinor <= 0 && (standing.availableMinor === null || standing.availableMinor > 0);
  return (
    <section className="card standing" aria-labelledby="standing-heading">
      <h2 id="standing-heading">Your standing</h2>
      {standing.onHold ? (
        <div className="alert error" role="status">
          <strong>Your account is on credit hold{standing.holdSince ? ` since ${formatDate(standing.holdSince)}` : ""}.</strong> {standing.holdWords}
        </div>
      ) : null}
      <dl className="details">
        {standing.creditLimitMinor !== null ? (
          <>
            <dt>Credit limit</dt>
            <dd>
              <Money minor={standing.creditLimitMinor} currency={currency} />
            </dd>
            <dt>Available credit</dt>
            <dd>
              <Money minor={standing.availableMinor ?? 0} currency={currency} />
            </dd>
          </>
        ) : null}
        <dt>Overdue</dt>
        <dd className={overdueMinor > 0 ? "text-danger" : undefined}>
          <Money minor={overdueMinor} currency={currency} />
        </dd>
      </dl>
      {standing.promises.map((promise) => (
        <p key={promise.id}>
          You promised <Money minor={promise.amountMinor} currency={currency} /> by {formatDate(promise.promisedOn)}. Thank you: we send no reminders for it until then.
        </p>
      ))}
      {good ? <p className="muted">Your account is in good standing. Thank you.</p> : null}
      {overdueMinor > 0 && canPay ? (
        <div className="actions">
          <Link className="button small" to="/portal/pay?select=due">
            Pay now
          </Link>
          <Link className="button secondary small" to="/portal/promise">
            Promise to pay
          </Link>
          <Link className="button secondary small" to="/portal/plans/new">
            Set up a plan
          </Link>
          <Link className="button secondary small" to="/portal/invoices?status=overdue">
            Question an invoice
          </Link>
        </div>
      ) : overdueMinor > 0 ? (
        <p className="muted">A billing contact of your company can pay, promise a date or set up a plan.</p>
      ) : null}
    </section>
  );
}

type Action = { to: string; title: string; text: string; primary?: boolean };

function nextActions({ overview, canPay }: Pick<ReturnType<typeof useLoaderData<typeof loader>>, "overview" | "canPay">): Action[] {
  const pay: Action | null = !canPay
    ? null
    : overview.dueNowMinor > 0
      ? { to: "/portal/pay", title: "Pay what is due", text: "By card or bank debit, all at once or invoice by invoice.", primary: true }
      : overview.payableMinor > 0
        ? { to: "/portal/pay", title: "Pay an invoice early", text: "Nothing is due yet; you can pay ahead if you like." }
        : null;
  const invoices: Action = { to: "/portal/invoices", title: "See your invoices", text: "Every invoice with its lines, payments and a PDF copy." };
  const statement: Action = { to: "/portal/statements", title: "Download a statement", text: "All activity on your account for any period, as PDF or CSV." };
  const third: Action =
    canPay && overview.plan
      ? { to: `/portal/plans/${overview.plan.id}`, title: overview.plan.status === "active" ? "Follow your payment plan" : "See your plan request", text: overview.plan.status === "active" ? "What is paid, and what comes next." : "We are looking at it and will let you know." }
      : canPay && overview.overdueMinor > 0
        ? { to: "/portal/plans/new", title: "Set up a payment plan", text: "Spread what is overdue over several payments." }
        : canPay && overview.openInvoiceCount > 0
          ? { to: "/portal/invoices?status=open", title: "Question a charge", text: "Open an invoice and dispute a line you think is wrong." }
          : { to: "/portal/payments", title: "See your payments", text: "Receipts for everything you have paid." };
  return pay ? [pay, invoices, third] : [invoices, statement, third];
}

export default function PortalHome() {
  const { firstName, canPay, companyName, customer, overview, standing } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const { currency } = customer;
  const actions = nextActions({ overview, canPay });
  return (
    <div className="portal-home">
      {params.get("welcome") ? <FormAlert tone="ok" message={`Welcome, ${firstName}. Your account is ready.`} /> : null}
      <header className="page-header">
        <div>
          <h1>Hello, {firstName}</h1>
          <p>
            {customer.name} · account {customer.accountNumber} · billed by {companyName}
          </p>
        </div>
      </header>

      <section className="card due-now" aria-labelledby="due-heading">
        <div>
          <h2 id="due-heading">Due now</h2>
          <p className="due-amount">
            <Money minor={overview.dueNowMinor} currency={currency} />
          </p>
          <p className="muted">
            {overview.dueNowMinor > 0
              ? `${plural(overview.dueNowCount, "invoice")} due today or earlier${overview.onHoldMinor > 0 ? ", not counting what you dispute" : ""}.`
              : overview.payableMinor > 0
                ? "Nothing is due today."
                : "You're all paid up. Thank you."}
          </p>
          {overview.nextDue ? (
            <p className="next-due">
              Next due: <Link to={`/portal/invoices/${overview.nextDue.id}`}>{overview.nextDue.number}</Link>, <Money minor={overview.nextDue.payableMinor} currency={currency} /> on {formatDate(overview.nextDue.dueDate)}
            </p>
          ) : null}
        </div>
        {overview.dueNowInvoices.length > 0 ? (
          <ul className="due-list" aria-label="Invoices due now">
            {overview.dueNowInvoices.map((invoice) => (
              <li key={invoice.id}>
                <Link to={`/portal/invoices/${invoice.id}`}>{invoice.number}</Link>
                <span className={invoice.overdue ? "text-danger" : "muted"}>{invoice.overdue ? `was due ${formatDate(invoice.dueDate)}` : "due today"}</span>
                <Money minor={invoice.payableMinor} currency={currency} />
              </li>
            ))}
            {overview.dueNowCount > overview.dueNowInvoices.length ? (
              <li className="muted">
                <Link to="/portal/invoices?status=overdue">and {plural(overview.dueNowCount - overview.dueNowInvoices.length, "more invoice")}</Link>
              </li>
            ) : null}
          </ul>
        ) : null}
      </section>

      {standing ? <Standing standing={standing} overdueMinor={overview.overdueMinor} currency={currency} canPay={canPay} /> : null}

      <section aria-labelledby="figures-heading">
        <h2 id="figures-heading" className="visually-hidden">
          Your account in figures
        </h2>
        <div className="grid portal-figures">
          <Figure
            label="Balance"
            minor={overview.balanceMinor}
            currency={currency}
            hint={overview.balanceMinor < 0 ? "We owe you this: your credit is more than your open invoices." : "Everything open on your invoices, less any credit you have with us."}
          />
          <Figure label="Overdue" minor={overview.overdueMinor} currency={currency} tone={overview.overdueMinor > 0 ? "danger" : undefined} hint={overview.overdueMinor > 0 ? `Past the due date on ${plural(overview.overdueCount, "invoice")}. Part of what is due now.` : "Nothing is past its due date."} />
          <Figure
            label="On hold (disputed)"
            minor={overview.onHoldMinor}
            currency={currency}
            tone={overview.onHoldMinor > 0 ? "warn" : undefined}
            hint={overview.onHoldMinor > 0 ? `What you dispute on ${plural(overview.onHoldCount, "invoice")}. You don't pay it while we look into it.` : "Think a charge is wrong? Dispute it from the invoice."}
          />
          <Figure label="Unapplied credit" minor={overview.unappliedMinor} currency={currency} hint={overview.unappliedMinor > 0 ? "Payments and credit notes not yet set against an invoice. They already lower your balance." : "Money of yours we hold, such as an overpayment. None right now."} />
          {overview.nextInstalment ? (
            <div className="stat">
              <div className="label">Next plan instalment</div>
              <div className="value">
                <Money minor={overview.nextInstalment.amountMinor} currency={currency} />
              </div>
              <p className="hint">
                On {formatDate(overview.nextInstalment.date)}. {overview.nextInstalment.autopay ? "We charge your saved payment method that day." : "Pay it by then to keep your plan on track."}
              </p>
            </div>
          ) : null}
        </div>
      </section>

      <section aria-labelledby="next-heading">
        <h2 id="next-heading">What you can do</h2>
        <ul className="next-actions">
          {actions.map((action) => (
            <li key={action.to}>
              <Link to={action.to} className={`next-action${action.primary ? " primary" : ""}`}>
                <strong>{action.title}</strong>
                <span>{action.text}</span>
              </Link>
            </li>
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby="terms-heading">
        <h2 id="terms-heading">Your terms</h2>
        <dl className="details">
          <dt>Payment terms</dt>
          <dd>
            {customer.terms}: pay each invoice within {customer.paymentTermsDays} days of its date
            {customer.earlyDiscount ? `, or take ${customer.earlyDiscount.percent} off when you pay within ${customer.earlyDiscount.days} days` : ""}.
          </dd>
          <dt>Currency</dt>
          <dd>{currency}</dd>
          <dt>Invoices are emailed to</dt>
          <dd className="break">{customer.email ?? "—"}</dd>
        </dl>
      </section>
    </div>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
