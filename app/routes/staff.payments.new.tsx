import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { AllocationTable, MethodField } from "~/components/allocation-table";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { SearchForm } from "~/components/search-form";
import { getCustomer, listCustomers } from "~/customers/customers.server";
import { applyModeSchema, invoiceNumbersOf, openInvoiceRows, parseAllocationRequest, type ApplyMode } from "~/ledger/allocation-form";
import { getInvoiceDetail, listOpenInvoices } from "~/ledger/invoices.server";
import { earlyDiscountAvailable, methodLabels, recordPayment } from "~/ledger/payments.server";
import { parseAmount, sumMinor, toDecimalString } from "~/money/money";
import { invalid, newFormKey, runDomain } from "~/utils/action.server";
import { today } from "~/utils/dates";
import { amountSchema, idempotencyKeySchema, isoDateSchema, optionalText, paymentMethodSchema } from "~/utils/form-schemas";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Record a payment · Settle back office" }];

const searchSchema = z.object({ customerId: z.uuid().optional(), invoiceId: z.uuid().optional() });

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "clerk");
  const params = new URL(request.url).searchParams;
  const parsed = searchSchema.safeParse({ customerId: params.get("customerId") ?? undefined, invoiceId: params.get("invoiceId") ?? undefined });
  invariantResponse(parsed.success, "Customer or invoice not found");
  const { invoiceId } = parsed.data;
  let customerId = parsed.data.customerId;
  if (invoiceId && !customerId) {
    const invoice = await getInvoiceDetail(invoiceId);
    invariantResponse(invoice, "Invoice not found");
    customerId = invoice.customer.id;
  }
  if (!customerId) {
    const q = z.string().trim().max(100).catch("").parse(params.get("q") ?? "");
    const { customers } = await listCustomers({ q: q || undefined });
    return { step: "customer" as const, q, customers };
  }
  const found = await getCustomer(customerId);
  invariantResponse(found, "Customer not found");
  const open = await listOpenInvoices(customerId);
  invariantResponse(!invoiceId || open.some((invoice) => invoice.id === invoiceId), "That invoice is not open for this customer");
  const { customer } = found;
  return {
    step: "payment" as const,
    customer: { id: customer.id, name: customer.name, accountNumber: customer.accountNumber, currency: customer.currency },
    invoices: openInvoiceRows(open, (invoice) => earlyDiscountAvailable(invoice, invoice.discountDueDate!)),
    invoiceId: invoiceId ?? null,
    methods: Object.entries(methodLabels).map(([value, label]) => ({ value, label })),
    formKey: newFormKey(),
    today: today(),
  };
}

const customerSchema = z.object({ customerId: z.uuid() });

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const formData = await request.formData();
  const target = customerSchema.safeParse({ customerId: formData.get("customerId") });
  invariantResponse(target.success, "Customer not found");
  const found = await getCustomer(target.data.customerId);
  invariantResponse(found, "Customer not found");
  const { currency } = found.customer;
  const schema = z.object({
    amount: amountSchema(currency, "Amount"),
    method: paymentMethodSchema,
    reference: optionalText("Reference", 100),
    receivedOn: isoDateSchema("Date received").refine((day) => day <= today(), "Date received cannot be in the future"),
    memo: optionalText("Memo", 1000),
    applyMode: applyModeSchema,
    idempotencyKey: idempotencyKeySchema,
  });
  const fields = parseForm(schema, formData);
  const mode = applyModeSchema.safeParse(formData.get("applyMode"));
  // Invoice numbers only name the rows in messages, so they are read only when rows were chosen.
  const invoiceNumbers = mode.success && mode.data === "choose" ? invoiceNumbersOf(await listOpenInvoices(found.customer.id)) : new Map<string, string | null>();
  const allocation = mode.success ? parseAllocationRequest(formData, { mode: mode.data, currency, invoiceNumbers }) : null;
  if (!fields.ok || (allocation && !allocation.ok)) return invalid({ ...(fields.ok ? {} : fields.errors), ...(allocation && !allocation.ok ? allocation.errors : {}) });
  const { amount, idempotencyKey, ...rest } = fields.data;
  const result = await runDomain(() =>
    recordPayment(
      { customerId: found.customer.id, currency, amountMinor: amount, ...rest, idempotencyKey, allocations: allocation?.ok ? allocation.allocations : undefined },
      { type: "staff", id: user.id, label: user.email },
    ),
  );
  if (!result.ok) return result.response;
  throw redirect(`/staff/payments/${result.value.id}?done=recorded`);
}

export default function RecordPayment() {
  const loaded = useLoaderData<typeof loader>();
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/payments">Payments</Link> / Record
          </p>
          <h1>Record a payment</h1>
          <p>A check, transfer or cash received outside the portal.</p>
        </div>
      </header>
      {loaded.step === "customer" ? <ChooseCustomer q={loaded.q} customers={loaded.customers} /> : <PaymentForm {...loaded} />}
    </>
  );
}

function ChooseCustomer({ q, customers }: { q: string; customers: { id: string; accountNumber: string; name: string; currency: string; email: string | null }[] }) {
  return (
    <section className="card" aria-labelledby="customer-heading">
      <h2 id="customer-heading">Who paid?</h2>
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

const applyModes: { value: ApplyMode; label: string; hint: string }[] = [
  { value: "auto", label: "Oldest due first", hint: "Pays the invoices in due-date order until the money runs out." },
  { value: "choose", label: "Choose invoices", hint: "Say how much goes to each invoice." },
  { value: "none", label: "Leave unapplied", hint: "Keep it as credit on the account, to apply later." },
];

function PaymentForm({ customer, invoices, invoiceId, methods, formKey, today }: Extract<ReturnType<typeof useLoaderData<typeof loader>>, { step: "payment" }>) {
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  const preselected = invoices.find((invoice) => invoice.id === invoiceId);
  const [amount, setAmount] = useState(preselected ? toDecimalString(preselected.openMinor, customer.currency) : "");
  const [receivedOn, setReceivedOn] = useState(today);
  const [mode, setMode] = useState<ApplyMode>(invoices.length === 0 ? "none" : preselected ? "choose" : "auto");
  const parsedAmount = parseAmount(amount, customer.currency);
  const paymentMinor = parsedAmount.ok && parsedAmount.amountMinor > 0 ? parsedAmount.amountMinor : null;
  const allocationMessage = errors.allocations ?? (actionData?.message && !Object.keys(errors).length ? actionData.message : null);
  return (
    <Form method="post" noValidate className="payment-form">
      <input type="hidden" name="customerId" value={customer.id} />
      <input type="hidden" name="idempotencyKey" value={formKey} />
      <section className="card" aria-labelledby="payment-heading">
        <div className="card-heading">
          <h2 id="payment-heading">Payment from {customer.name}</h2>
          <Link to="/staff/payments/new" className="button secondary small">
            Change customer
          </Link>
        </div>
        <p className="muted">
          <Link to={`/staff/customers/${customer.id}`}>{customer.accountNumber}</Link> · billed in {customer.currency}
        </p>
        <FormAlert message={errors.customerId ?? errors.currency} />
        <div className="field-grid">
          <Field
            label={`Amount (${customer.currency})`}
            name="amount"
            inputMode="decimal"
            autoComplete="off"
            required
            value={amount}
            onChange={(event) => setAmount(event.target.value)}
            error={errors.amount}
          />
          <MethodField label="Method" options={methods} error={errors.method} />
          <Field label="Reference" name="reference" autoComplete="off" error={errors.reference} hint="Check number, wire reference…" />
          <Field label="Date received" name="receivedOn" type="date" max={today} required value={receivedOn} onChange={(event) => setReceivedOn(event.target.value)} error={errors.receivedOn} />
        </div>
        <Field label="Memo" name="memo" autoComplete="off" error={errors.memo} hint="For the team; the customer does not see it." />
      </section>
      <section className="card" aria-labelledby="apply-heading">
        <h2 id="apply-heading">Apply it</h2>
        {invoices.length === 0 ? (
          <>
            <input type="hidden" name="applyMode" value="none" />
            <p className="muted">{customer.name} has no open invoices: the payment stays as unapplied credit on the account.</p>
          </>
        ) : (
          <>
            <fieldset className="choice-group">
              <legend className="visually-hidden">How to apply the payment</legend>
              {applyModes.map((option) => (
                <label key={option.value} className={`choice${mode === option.value ? " selected" : ""}`}>
                  <input type="radio" name="applyMode" value={option.value} checked={mode === option.value} onChange={() => setMode(option.value)} />
                  <span>
                    <strong>{option.label}</strong>
                    <span className="muted">{option.hint}</span>
                  </span>
                </label>
              ))}
            </fieldset>
            {errors.applyMode ? <p className="error">{errors.applyMode}</p> : null}
            <FormAlert message={allocationMessage} />
            {mode === "choose" ? (
              <AllocationTable
                invoices={invoices}
                currency={customer.currency}
                availableMinor={paymentMinor}
                availableLabel="received"
                receivedOn={receivedOn}
                initialAmounts={preselected ? { [preselected.id]: toDecimalString(preselected.openMinor, customer.currency) } : {}}
                errors={errors}
              />
            ) : mode === "auto" ? (
              <p className="muted">
                {invoices.length} open {invoices.length === 1 ? "invoice" : "invoices"} totalling{" "}
                <Money minor={sumMinor(invoices.map((invoice) => invoice.openMinor))} currency={customer.currency} />. The payment settles them oldest due first; anything left over stays as
                credit.
              </p>
            ) : null}
          </>
        )}
      </section>
      <div className="actions">
        <SubmitButton>Record payment</SubmitButton>
        <Link to="/staff/payments" className="button secondary">
          Cancel
        </Link>
      </div>
    </Form>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
