import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { SearchForm } from "~/components/search-form";
import { getCustomer, listCustomers } from "~/customers/customers.server";
import { parseAmountRows } from "~/ledger/allocation-form";
import { getCreditableInvoice, issueCreditNote, type CreditLineInput } from "~/ledger/credit-notes.server";
import { getInvoiceDetail, listInvoices } from "~/ledger/invoices.server";
import { formatBps, formatMoney, parseAmount, toDecimalString } from "~/money/money";
import { invalid, newFormKey, runDomain } from "~/utils/action.server";
import { amountSchema, idempotencyKeySchema, optionalText, requiredText, taxRateSchema } from "~/utils/form-schemas";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm, type FieldErrors } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Issue a credit note · Settle back office" }];

const LINE_PREFIX = "credit.";
const MAX_FREE_LINES = 20;

const idsSchema = z.object({ customerId: z.uuid().optional(), invoiceId: z.uuid().optional() });

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "clerk");
  const params = new URL(request.url).searchParams;
  const parsed = idsSchema.safeParse({ customerId: params.get("customerId") || undefined, invoiceId: params.get("invoiceId") || undefined });
  invariantResponse(parsed.success, "Customer or invoice not found");
  const invoice = parsed.data.invoiceId ? await getCreditableInvoice(parsed.data.invoiceId) : null;
  invariantResponse(!parsed.data.invoiceId || invoice, "Invoice not found");
  invariantResponse(!invoice || !parsed.data.customerId || invoice.customer.id === parsed.data.customerId, "Invoice not found");
  if (invoice) invariantResponse(invoice.invoice.status !== "draft" && invoice.invoice.status !== "void", `A ${invoice.invoice.status} invoice cannot be credited`, 409);
  const customerId = invoice?.customer.id ?? parsed.data.customerId;
  if (!customerId) {
    const q = z.string().trim().max(100).catch("").parse(params.get("q") ?? "");
    return { step: "customer" as const, q, customers: (await listCustomers({ q: q || undefined })).customers };
  }
  const found = invoice ? { customer: invoice.customer } : await getCustomer(customerId);
  invariantResponse(found, "Customer not found");
  const { invoices } = await listInvoices({ customerId, limit: 100 });
  return {
    step: "credit" as const,
    customer: { id: found.customer.id, name: found.customer.name, accountNumber: found.customer.accountNumber, currency: found.customer.currency },
    invoice: invoice
      ? { id: invoice.invoice.id, number: invoice.invoice.number, issueDate: invoice.invoice.issueDate, totalMinor: invoice.invoice.totalMinor, openMinor: invoice.invoice.openMinor, lines: invoice.lines }
      : null,
    creditable: invoices.filter((row) => row.status === "open" || row.status === "paid").map((row) => ({ id: row.id, number: row.number, totalMinor: row.totalMinor, openMinor: row.openMinor })),
    formKey: newFormKey(),
  };
}

const formSchema = z.object({
  mode: z.enum(["whole", "lines", "free"], { message: "Choose what to credit" }),
  reason: requiredText("Reason"),
  memo: optionalText("Memo", 1000),
  applyNow: z.literal("on").optional(),
  idempotencyKey: idempotencyKeySchema,
});

/** Free lines arrive as `free.<n>.description|amount|taxRate`; a row left blank is skipped. */
function parseFreeLines(formData: FormData, currency: string): { ok: true; lines: CreditLineInput[] } | { ok: false; errors: FieldErrors } {
  const lines: CreditLineInput[] = [];
  const errors: FieldErrors = {};
  for (let n = 0; n < MAX_FREE_LINES; n++) {
    const field = (name: string) => String(formData.get(`free.${n}.${name}`) ?? "");
    if (!field("description").trim() && !field("amount").trim() && !field("taxRate").trim()) continue;
    const row = z
      .object({ description: requiredText(`Line ${n + 1} description`, 300), amount: amountSchema(currency, `Line ${n + 1} amount`), taxRate: taxRateSchema(`Line ${n + 1} tax rate`) })
      .safeParse({ description: field("description"), amount: field("amount"), taxRate: field("taxRate") });
    if (row.success) lines.push({ description: row.data.description, amountMinor: row.data.amount, taxRateBps: row.data.taxRate });
    else for (const issue of row.error.issues) errors[`free.${n}.${String(issue.path[0])}`] ??= issue.message;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, lines };
}

/** The lines a credit note asks for: none for a whole invoice, amounts per invoice line, or free lines. */
async function creditLines(
  formData: FormData,
  mode: "whole" | "lines" | "free",
  { customerId, currency, invoiceId }: { customerId: string; currency: string; invoiceId: string | null },
): Promise<{ ok: true; lines: CreditLineInput[] | undefined } | { ok: false; errors: FieldErrors }> {
  if (mode === "free") {
    const free = parseFreeLines(formData, currency);
    if (!free.ok) return { ok: false, errors: { lines: "Some lines need correcting", ...free.errors } };
    return free.lines.length > 0 ? free : { ok: false, errors: { lines: "Add at least one line with a description and an amount" } };
  }
  if (!invoiceId) return { ok: false, errors: { mode: "Choose the invoice to credit" } };
  if (mode === "whole") return { ok: true, lines: undefined };
  const invoice = await getInvoiceDetail(invoiceId);
  invariantResponse(invoice && invoice.customer.id === customerId, "Invoice not found");
  const descriptions = new Map(invoice.lines.map((line) => [line.id, line.description]));
  const rows = parseAmountRows(formData, { prefix: LINE_PREFIX, currency, labelFor: (id) => `“${descriptions.get(id) ?? "a line not on this invoice"}”` });
  if (!rows.ok) return { ok: false, errors: { lines: "Some amounts need correcting; see the marked lines", ...rows.errors } };
  if (rows.rows.length === 0) return { ok: false, errors: { lines: "Enter an amount for at least one line" } };
  return { ok: true, lines: rows.rows.map((row) => ({ invoiceLineId: row.id, amountMinor: row.amountMinor })) };
}

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const formData = await request.formData();
  const ids = idsSchema.safeParse({ customerId: formData.get("customerId") || undefined, invoiceId: formData.get("invoiceId") || undefined });
  invariantResponse(ids.success && ids.data.customerId, "Customer not found");
  const found = await getCustomer(ids.data.customerId);
  invariantResponse(found, "Customer not found");
  const { currency } = found.customer;
  const fields = parseForm(formSchema, formData);
  const invoiceId = ids.data.invoiceId ?? null;
  const mode = formSchema.shape.mode.safeParse(formData.get("mode"));
  const lines = mode.success ? await creditLines(formData, mode.data, { customerId: found.customer.id, currency, invoiceId }) : ({ ok: true, lines: undefined } as const);
  // Every bad field at once: the form's and the lines'.
  if (!fields.ok || !lines.ok) return invalid({ ...(lines.ok ? {} : lines.errors), ...(fields.ok ? {} : fields.errors) });
  const { reason, memo, applyNow, idempotencyKey } = fields.data;
  const result = await runDomain(() =>
    issueCreditNote(
      { customerId: found.customer.id, invoiceId, wholeInvoice: fields.data.mode === "whole", lines: lines.lines, reason, memo, applyToInvoice: invoiceId ? applyNow === "on" : false, idempotencyKey },
      { type: "staff", id: user.id, label: user.email },
    ),
  );
  if (!result.ok) return result.response;
  throw redirect(`/staff/credit-notes/${result.value.id}?done=issued`);
}

export default function NewCreditNote() {
  const loaded = useLoaderData<typeof loader>();
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/credit-notes">Credit notes</Link> / New
          </p>
          <h1>Issue a credit note</h1>
          <p>Credit an invoice in full, some of its lines, or give account credit.</p>
        </div>
      </header>
      {loaded.step === "customer" ? <ChooseCustomer q={loaded.q} customers={loaded.customers} /> : <CreditForm {...loaded} />}
    </>
  );
}

function ChooseCustomer({ q, customers }: { q: string; customers: { id: string; accountNumber: string; name: string; currency: string }[] }) {
  return (
    <section className="card" aria-labelledby="customer-heading">
      <h2 id="customer-heading">Which customer?</h2>
      <SearchForm name="q" label="Search customers" placeholder="Name, account number or email" defaultValue={q} button="Find customer" />
      {customers.length === 0 ? (
        <p className="muted">No customers match “{q}”.</p>
      ) : (
        <ul className="pick-list">
          {customers.map((customer) => (
            <li key={customer.id}>
              <Link to={`?customerId=${customer.id}`}>
                <strong>{customer.name}</strong>
                <span className="muted">
                  {customer.accountNumber} · {customer.currency}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

type Mode = "whole" | "lines" | "free";
type Loaded = Extract<ReturnType<typeof useLoaderData<typeof loader>>, { step: "credit" }>;

const amountOf = (value: string | undefined, currency: string) => {
  const parsed = value?.trim() ? parseAmount(value, currency) : null;
  return parsed?.ok && parsed.amountMinor > 0 ? parsed.amountMinor : 0;
};

function CreditForm({ customer, invoice, creditable, formKey }: Loaded) {
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  const [mode, setMode] = useState<Mode>(invoice ? "whole" : "free");
  const modes: { value: Mode; label: string; hint: string }[] = [
    ...(invoice
      ? [
          { value: "whole" as const, label: "Whole invoice", hint: "Credit everything still left on every line." },
          { value: "lines" as const, label: "Some lines", hint: "Say how much of each line to credit, tax included." },
        ]
      : []),
    { value: "free", label: "Account credit", hint: "Free lines: a goodwill credit, a price adjustment, a rebate." },
  ];
  return (
    <>
      <section className="card" aria-labelledby="customer-heading">
        <div className="card-heading">
          <h2 id="customer-heading">{customer.name}</h2>
          <Link to="/staff/credit-notes/new" className="button secondary small">
            Change customer
          </Link>
        </div>
        <p className="muted">
          <Link to={`/staff/customers/${customer.id}`}>{customer.accountNumber}</Link> · billed in {customer.currency}
        </p>
        <Form method="get" className="filters" aria-label="Invoice to credit">
          <input type="hidden" name="customerId" value={customer.id} />
          <div className="field">
            <label htmlFor="invoice-pick">Invoice to credit</label>
            <select id="invoice-pick" name="invoiceId" defaultValue={invoice?.id ?? ""}>
              <option value="">None: account credit</option>
              {creditable.map((row) => (
                <option key={row.id} value={row.id}>
                  {row.number} · {formatMoney(row.totalMinor, customer.currency)}
                  {row.openMinor > 0 ? ` (${formatMoney(row.openMinor, customer.currency)} open)` : " (paid)"}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button secondary">
            Choose
          </button>
        </Form>
      </section>
      <Form method="post" noValidate key={invoice?.id ?? "account"}>
        <input type="hidden" name="customerId" value={customer.id} />
        {invoice ? <input type="hidden" name="invoiceId" value={invoice.id} /> : null}
        <input type="hidden" name="idempotencyKey" value={formKey} />
        <section className="card" aria-labelledby="what-heading">
          <h2 id="what-heading">{invoice ? `What to credit on invoice ${invoice.number}` : "Account credit"}</h2>
          <FormAlert message={errors.lines ?? errors.mode ?? errors.invoiceId ?? (actionData?.message && Object.keys(errors).length === 0 ? actionData.message : null)} />
          {modes.length > 1 ? (
            <fieldset className="choice-group">
              <legend className="visually-hidden">What to credit</legend>
              {modes.map((option) => (
                <label key={option.value} className={`choice${mode === option.value ? " selected" : ""}`}>
                  <input type="radio" name="mode" value={option.value} checked={mode === option.value} onChange={() => setMode(option.value)} />
                  <span>
                    <strong>{option.label}</strong>
                    <span className="muted">{option.hint}</span>
                  </span>
                </label>
              ))}
            </fieldset>
          ) : (
            <input type="hidden" name="mode" value="free" />
          )}
          {invoice && mode === "whole" ? <WholeInvoice lines={invoice.lines} currency={customer.currency} /> : null}
          {invoice && mode === "lines" ? <SomeLines lines={invoice.lines} currency={customer.currency} errors={errors} /> : null}
          {mode === "free" ? <FreeLines currency={customer.currency} errors={errors} /> : null}
        </section>
        <section className="card" aria-labelledby="why-heading">
          <h2 id="why-heading">Why</h2>
          <Field label="Reason" name="reason" autoComplete="off" required error={errors.reason} hint="Printed on the credit note, like “Damaged in transit”." />
          <Field label="Memo" name="memo" autoComplete="off" error={errors.memo} hint="For the team; not printed." />
          {invoice && invoice.openMinor > 0 ? (
            <div className="field checkbox-field">
              <label>
                <input type="checkbox" name="applyNow" defaultChecked /> Apply to invoice {invoice.number} now
              </label>
              <span className="hint">
                Up to the <Money minor={invoice.openMinor} currency={customer.currency} /> open; any rest stays as account credit.
              </span>
            </div>
          ) : invoice ? (
            <p className="muted">Nothing is open on invoice {invoice.number}, so the credit stays on the account to apply elsewhere or refund.</p>
          ) : null}
        </section>
        <div className="actions">
          <SubmitButton>Issue credit note</SubmitButton>
          <Link to="/staff/credit-notes" className="button secondary">
            Cancel
          </Link>
        </div>
      </Form>
    </>
  );
}

type Line = NonNullable<Loaded["invoice"]>["lines"][number];

function WholeInvoice({ lines, currency }: { lines: Line[]; currency: string }) {
  const left = lines.filter((line) => line.remainingMinor > 0);
  if (left.length === 0) return <p className="muted">Every line of this invoice is already credited in full.</p>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Line</th>
            <th scope="col">Tax</th>
            <th scope="col" className="num">
              Line total
            </th>
            <th scope="col" className="num">
              Credited
            </th>
          </tr>
        </thead>
        <tbody>
          {left.map((line) => (
            <tr key={line.id}>
              <td>{line.description}</td>
              <td>{formatBps(line.taxRateBps)}</td>
              <td className="num">
                <Money minor={line.totalMinor} currency={currency} />
              </td>
              <td className="num">
                <Money minor={line.remainingMinor} currency={currency} />
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <td colSpan={3}>Credit note total</td>
            <td className="num">
              <Money minor={left.reduce((sum, line) => sum + line.remainingMinor, 0)} currency={currency} />
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function SomeLines({ lines, currency, errors }: { lines: Line[]; currency: string; errors: FieldErrors }) {
  const [amounts, setAmounts] = useState<Record<string, string>>({});
  const total = lines.reduce((sum, line) => sum + amountOf(amounts[line.id], currency), 0);
  return (
    <div className="table-wrap">
      <table className="allocation-table">
        <thead>
          <tr>
            <th scope="col">Line</th>
            <th scope="col">Tax</th>
            <th scope="col" className="num">
              Left to credit
            </th>
            <th scope="col">All of it</th>
            <th scope="col" className="num">
              Credit (tax incl.)
            </th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => {
            const name = `${LINE_PREFIX}${line.id}`;
            const value = amounts[line.id] ?? "";
            const done = line.remainingMinor <= 0;
            return (
              <tr key={line.id} className={errors[name] ? "has-error" : undefined}>
                <td data-label="Line">{line.description}</td>
                <td data-label="Tax">{formatBps(line.taxRateBps)}</td>
                <td data-label="Left to credit" className="num">
                  <Money minor={line.remainingMinor} currency={currency} />
                </td>
                <td data-label="All of it">
                  <input
                    type="checkbox"
                    aria-label={`Credit all that is left of ${line.description}`}
                    disabled={done}
                    checked={!done && amountOf(value, currency) === line.remainingMinor}
                    onChange={(event) => setAmounts((current) => ({ ...current, [line.id]: event.target.checked ? toDecimalString(line.remainingMinor, currency) : "" }))}
                  />
                </td>
                <td data-label="Credit (tax incl.)" className="num">
                  <label className="visually-hidden" htmlFor={`line-${line.id}`}>
                    Amount to credit on {line.description} ({currency})
                  </label>
                  <input
                    id={`line-${line.id}`}
                    className="amount-input"
                    name={name}
                    inputMode="decimal"
                    autoComplete="off"
                    placeholder="0.00"
                    disabled={done}
                    value={value}
                    onChange={(event) => setAmounts((current) => ({ ...current, [line.id]: event.target.value }))}
                    aria-invalid={errors[name] ? true : undefined}
                    aria-describedby={errors[name] ? `line-${line.id}-error` : undefined}
                  />
                  {errors[name] ? (
                    <span className="error" id={`line-${line.id}-error`}>
                      {errors[name]}
                    </span>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <td colSpan={4}>Credit note total</td>
            <td className="num">{Number.isSafeInteger(total) ? <Money minor={total} currency={currency} /> : "—"}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function FreeLines({ currency, errors }: { currency: string; errors: FieldErrors }) {
  const [count, setCount] = useState(1);
  return (
    <>
      <div className="free-lines">
        {Array.from({ length: count }, (_, n) => (
          <fieldset key={n} className="free-line">
            <legend className="visually-hidden">Line {n + 1}</legend>
            <Field label={n === 0 ? "Description" : `Description (line ${n + 1})`} name={`free.${n}.description`} autoComplete="off" error={errors[`free.${n}.description`]} />
            <Field label={`Amount (${currency}, tax incl.)`} name={`free.${n}.amount`} inputMode="decimal" autoComplete="off" error={errors[`free.${n}.amount`]} />
            <Field label="Tax rate (%)" name={`free.${n}.taxRate`} inputMode="decimal" autoComplete="off" placeholder="0" error={errors[`free.${n}.taxRate`]} />
          </fieldset>
        ))}
      </div>
      {count < MAX_FREE_LINES ? (
        <button type="button" className="button secondary small" onClick={() => setCount(count + 1)}>
          Add a line
        </button>
      ) : null}
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
