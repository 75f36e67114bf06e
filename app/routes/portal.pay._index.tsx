import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useId, useState, type MouseEvent } from "react";
import { z } from "zod";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { formatMoney, parseAmount, toDecimalString } from "~/money/money";
import { canPay, creditedByPage, nextPathFor, parsePayForm, payPage, requirePayer, startPortalPayment } from "~/payments/portal-pay.server";
import { invalid, newFormKey, runDomain } from "~/utils/action.server";
import { formatDate } from "~/utils/format";
import { idempotencyKeySchema } from "~/utils/form-schemas";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction = () => [{ title: "Pay invoices · Customer portal" }];

const searchSchema = z.object({
  invoice: z.uuid().optional(),
  select: z.enum(["due", "all"]).optional().catch(undefined),
  credited: idempotencyKeySchema.optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, customer } = await requirePortalUser(request);
  const params = new URL(request.url).searchParams;
  const search = searchSchema.safeParse({ invoice: params.get("invoice") ?? undefined, select: params.get("select") ?? undefined, credited: params.get("credited") ?? undefined });
  invariantResponse(search.success, "Invoice not found");
  const { credited, ...selection } = search.data;
  const [page, creditedRows] = await Promise.all([payPage(customer, selection), credited ? creditedByPage(customer.id, credited) : []]);
  invariantResponse(page, "Invoice not found");
  return { ...page, credited: creditedRows, creditedKey: credited ?? null, canPay: canPay(user), formKey: newFormKey() };
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, customer } = await requirePortalUser(request);
  requirePayer(user);
  const parsed = await parsePayForm(await request.formData(), customer);
  if (!parsed.ok) return invalid(parsed.errors);
  const result = await runDomain(() => startPortalPayment({ customer, user, ...parsed.data }));
  if (!result.ok) return result.response;
  throw redirect(result.value.kind === "credited" ? `/portal/pay?credited=${parsed.data.pageKey}` : nextPathFor(result.value.attempt));
}

type Page = ReturnType<typeof useLoaderData<typeof loader>>;

export default function PayInvoices() {
  const page = useLoaderData<typeof loader>();
  const creditedTotal = page.credited.reduce((sum, row) => sum + row.amountMinor, 0);
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Pay invoices</h1>
          <p>Choose what to pay now: whole invoices, or part of one (at least {formatMoney(page.minimumMinor, page.currency)}).</p>
        </div>
      </header>
      {creditedTotal > 0 ? (
        <div className="alert ok" role="status">
          Your unapplied credit paid {formatMoney(creditedTotal, page.currency)}: {page.credited.map((row) => `invoice ${row.number} ${formatMoney(row.amountMinor, page.currency)}`).join(", ")}. Nothing was
          charged.
        </div>
      ) : null}
      <FormAlert tone="info" message={page.notice} />
      {!page.canPay ? (
        <section className="card">
          <h2>You can see invoices, not pay them</h2>
          <p className="muted">Your access to this account is read-only. Ask a colleague with billing access to pay, or ask us to change your access.</p>
        </section>
      ) : page.invoices.length === 0 ? (
        <section className="card pay-empty">
          <h2>Nothing to pay</h2>
          <p className="muted">Your account has no open invoices. Thank you!</p>
        </section>
      ) : (
        // A new choice (a shortcut link, or the page after credit paid) starts the form afresh.
        <PayForm key={`${page.chosen.join(",")}:${page.creditedKey ?? ""}`} page={page} />
      )}
    </>
  );
}

type Row = { checked: boolean; amount: string };

function PayForm({ page }: { page: Page }) {
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  const { currency } = page;
  const [rows, setRows] = useState<Record<string, Row>>(() =>
    Object.fromEntries(page.invoices.map((invoice) => [invoice.id, { checked: page.chosen.includes(invoice.id), amount: toDecimalString(invoice.payableMinor, currency) }])),
  );
  const [useCredit, setUseCredit] = useState(page.creditMinor > 0);
  const [method, setMethod] = useState(page.savedMethods[0]?.id ?? "new");
  const summaryId = useId();
  const update = (id: string, change: Partial<Row>) => setRows((current) => ({ ...current, [id]: { ...current[id]!, ...change } }));
  const choose = (which: "due" | "all") => (event: MouseEvent) => {
    event.preventDefault();
    const full = (invoice: Page["invoices"][number]) => ({ checked: invoice.payableMinor > 0 && (which === "all" || invoice.dueNow), amount: toDecimalString(invoice.payableMinor, currency) });
    setRows(Object.fromEntries(page.invoices.map((invoice) => [invoice.id, full(invoice)])));
  };

  const chosenMinor = page.invoices.reduce((sum, invoice) => {
    const row = rows[invoice.id]!;
    const parsed = row.checked ? parseAmount(row.amount, currency) : null;
    return parsed?.ok && parsed.amountMinor > 0 ? sum + parsed.amountMinor : sum;
  }, 0);
  const creditUsed = useCredit ? Math.min(page.creditMinor, chosenMinor) : 0;
  const chargeMinor = chosenMinor - creditUsed;
  const saved = page.savedMethods.find((m) => m.id === method);
  const submitLabel =
    chosenMinor > 0 && chargeMinor === 0 ? "Apply my credit" : saved ? `Pay ${formatMoney(chargeMinor, currency)} with ${saved.label}` : "Continue to payment";

  return (
    <Form method="post" noValidate className="pay-form">
      <input type="hidden" name="pageKey" value={page.formKey} />
      <FormAlert message={actionData?.message} />
      <section className="card" aria-labelledby="invoices-heading">
        <div className="card-heading">
          <h2 id="invoices-heading">Open invoices</h2>
          <div className="actions">
            {/* Links without JavaScript; with it, they choose the rows on the page. */}
            <Link to="?select=due" className="button secondary small" preventScrollReset onClick={choose("due")}>
              Pay everything due now
            </Link>
            <Link to="?select=all" className="button secondary small" preventScrollReset onClick={choose("all")}>
              Pay all open
            </Link>
          </div>
        </div>
        <div className="table-wrap">
          <table className="pay-table" aria-describedby={summaryId}>
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Pay</span>
                </th>
                <th scope="col">Invoice</th>
                <th scope="col">Due</th>
                <th scope="col" className="num">
                  Open
                </th>
                <th scope="col" className="num">
                  On hold
                </th>
                <th scope="col" className="num">
                  Amount to pay ({currency})
                </th>
              </tr>
            </thead>
            <tbody>
              {page.invoices.map((invoice) => {
                const row = rows[invoice.id]!;
                const error = errors[`amount.${invoice.id}`];
                const held = invoice.payableMinor === 0;
                const boxId = `${summaryId}-pay-${invoice.id}`;
                return (
                  <tr key={invoice.id} className={[row.checked ? "chosen" : "", error ? "has-error" : "", held ? "held" : ""].join(" ").trim() || undefined}>
                    <td className="pick">
                      <input
                        id={boxId}
                        type="checkbox"
                        name="invoice"
                        value={invoice.id}
                        checked={row.checked && !held}
                        disabled={held}
                        onChange={(event) => update(invoice.id, { checked: event.target.checked })}
                      />
                    </td>
                    <td data-label="Invoice" className="invoice">
                      <label htmlFor={boxId}>
                        Invoice <strong>{invoice.number}</strong>
                      </label>
                      {invoice.overdue ? <span className="badge danger">Overdue</span> : null}
                    </td>
                    <td data-label="Due" className="due nowrap">
                      {formatDate(invoice.dueDate)}
                    </td>
                    <td data-label="Open" className="open num">
                      <Money minor={invoice.openMinor} currency={currency} />
                    </td>
                    <td data-label="On hold" className={`held-amount num${invoice.disputedMinor > 0 ? "" : " none"}`}>
                      {invoice.disputedMinor > 0 ? (
                        <span title="Disputed: not payable until the dispute is resolved">
                          <Money minor={invoice.disputedMinor} currency={currency} /> <span className="badge warn">Disputed</span>
                        </span>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td data-label="Amount to pay" className="num">
                      {held ? (
                        <span className="muted">On hold while disputed</span>
                      ) : (
                        <>
                          <label className="visually-hidden" htmlFor={`${boxId}-amount`}>
                            Amount to pay on invoice {invoice.number} ({currency})
                          </label>
                          <input
                            id={`${boxId}-amount`}
                            className="amount-input"
                            name={`amount.${invoice.id}`}
                            inputMode="decimal"
                            autoComplete="off"
                            value={row.amount}
                            onChange={(event) => update(invoice.id, { amount: event.target.value, checked: true })}
                            aria-invalid={error ? true : undefined}
                            aria-describedby={error ? `${boxId}-error` : undefined}
                          />
                          {error ? (
                            <span className="error" id={`${boxId}-error`}>
                              {error}
                            </span>
                          ) : null}
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {errors.invoices ? <p className="error">{errors.invoices}</p> : null}
      </section>

      <div className="pay-columns">
        <section className="card" aria-labelledby="how-heading">
          <h2 id="how-heading">How to pay</h2>
          {page.creditMinor > 0 ? (
            <div className="checkbox-field credit-choice">
              <label>
                <input type="checkbox" name="useCredit" checked={useCredit} onChange={(event) => setUseCredit(event.target.checked)} />
                Use my unapplied credit first
              </label>
              <p className="muted">
                You have <Money minor={page.creditMinor} currency={currency} /> of unapplied credit. It goes to the invoices you chose first, oldest credit first; only the rest is charged.
              </p>
            </div>
          ) : null}
          <fieldset className="choice-group pay-methods">
            <legend className="visually-hidden">Payment method</legend>
            {page.savedMethods.map((saved) => (
              <label key={saved.id} className={`choice${method === saved.id ? " selected" : ""}`}>
                <input type="radio" name="method" value={saved.id} checked={method === saved.id} onChange={() => setMethod(saved.id)} />
                <span>
                  <strong>Pay with {saved.label}</strong>
                  {saved.expires ? <span className="muted">Expires {saved.expires}</span> : null}
                </span>
              </label>
            ))}
            <label className={`choice${method === "new" ? " selected" : ""}`}>
              <input type="radio" name="method" value="new" checked={method === "new"} onChange={() => setMethod("new")} />
              <span>
                <strong>{page.processor === "stripe" && currency === "USD" ? "A new card or bank account" : "A new card"}</strong>
                <span className="muted">Enter the details on the next page.</span>
              </span>
            </label>
          </fieldset>
          {errors.method ? <p className="error">{errors.method}</p> : null}
          {method === "new" ? (
            <div className="checkbox-field">
              <label>
                <input type="checkbox" name="saveMethod" />
                Save this card for next time
              </label>
            </div>
          ) : null}
        </section>

        <section className="card pay-summary" aria-labelledby="summary-heading">
          <h2 id="summary-heading">Summary</h2>
          <dl id={summaryId} className="details" aria-live="polite">
            <dt>Invoices chosen</dt>
            <dd className="num">
              <Money minor={chosenMinor} currency={currency} />
            </dd>
            {useCredit && page.creditMinor > 0 ? (
              <>
                <dt>Your credit</dt>
                <dd className="num">
                  <Money minor={-creditUsed} currency={currency} />
                </dd>
              </>
            ) : null}
            <dt className="total">To pay now</dt>
            <dd className="num total">
              <Money minor={chargeMinor} currency={currency} />
            </dd>
          </dl>
          <SubmitButton className="button block">{submitLabel}</SubmitButton>
          <p className="muted small-print">We check every amount again before anything is charged.</p>
        </section>
      </div>
    </Form>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
