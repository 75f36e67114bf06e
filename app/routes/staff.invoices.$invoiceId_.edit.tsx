import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { InvoiceFormFields, withBlankRows } from "~/components/invoice-lines-editor";
import { invoiceFormValues, lineValues, parseInvoiceForm } from "~/ledger/invoice-form";
import { getInvoiceDetail, issueInvoice, updateDraftInvoice } from "~/ledger/invoices.server";
import { runDomain } from "~/utils/action.server";
import { today } from "~/utils/dates";
import { formatTerms } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";

export const meta: MetaFunction = () => [{ title: "Edit draft invoice · Settle back office" }];

const paramsSchema = z.object({ invoiceId: z.uuid() });

/** The draft behind the URL; an issued invoice answers 409, since its lines are on the books. */
async function requireDraft(params: unknown) {
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Invoice not found");
  const detail = await getInvoiceDetail(parsed.data.invoiceId);
  invariantResponse(detail, "Invoice not found");
  if (detail.invoice.status !== "draft")
    throw data({ message: `Invoice ${detail.invoice.number} is issued; only a draft can be edited. Correct it with a credit note.` }, { status: 409 });
  return detail;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireStaff(request, "clerk");
  const { invoice, customer, lines } = await requireDraft(params);
  return {
    invoice: { id: invoice.id, currency: invoice.currency },
    customer: { id: customer.id, name: customer.name, accountNumber: customer.accountNumber },
    // The terms the draft was created with, which issuing uses.
    terms: { paymentTermsDays: invoice.paymentTermsDays, earlyDiscountBps: invoice.earlyDiscountBps, earlyDiscountDays: invoice.earlyDiscountDays },
    today: today(),
    values: {
      lines: withBlankRows(lines.map((line) => lineValues(line, invoice.currency))),
      issueDate: invoice.issueDate ?? "",
      dueDate: invoice.dueDate ?? "",
      poNumber: invoice.poNumber ?? "",
      memo: invoice.memo ?? "",
    },
  };
}

const intentSchema = z.enum(["draft", "issue"], { message: "Choose Save draft or Save and issue" });

export async function action({ request, params }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const { invoice } = await requireDraft(params);
  const formData = await request.formData();
  const values = invoiceFormValues(formData);
  const intent = intentSchema.safeParse(formData.get("intent"));
  const parsed = parseInvoiceForm(values, invoice.currency);
  if (!intent.success || !parsed.ok) {
    const errors = { ...(parsed.ok ? {} : parsed.errors), ...(intent.success ? {} : { form: intent.error.issues[0]!.message }) };
    return data({ ok: false as const, errors, message: errors.form ?? null, values }, { status: 400 });
  }
  const actor = { type: "staff" as const, id: user.id, label: user.email };
  const saved = await runDomain(() => updateDraftInvoice(invoice.id, parsed.data, actor));
  if (!saved.ok) return data({ ...saved.response.data, values }, saved.response.init ?? undefined);
  if (intent.data === "issue") {
    // The edit is kept as a draft even if issuing is refused; the message says why it is not issued.
    const issued = await runDomain(() => issueInvoice({ invoiceId: invoice.id }, actor));
    if (!issued.ok) return data({ ...issued.response.data, message: `Saved as a draft, not issued: ${issued.response.data.message}`, values }, issued.response.init ?? undefined);
  }
  return redirect(`/staff/invoices/${invoice.id}`);
}

export default function EditInvoice() {
  const { invoice, customer, terms, today, values } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/invoices">Invoices</Link> / <Link to={`/staff/invoices/${invoice.id}`}>Draft</Link> / Edit
          </p>
          <h1>Edit draft invoice</h1>
          <p>Nothing reaches the books until the invoice is issued.</p>
        </div>
      </header>
      <section className="card bill-to" aria-label="Bill to">
        <div>
          <span className="muted">Bill to</span>
          <strong>
            <Link to={`/staff/customers/${customer.id}`}>{customer.name}</Link>
          </strong>
          <span className="muted">
            {customer.accountNumber} · {invoice.currency} · {formatTerms(terms)}
          </span>
        </div>
      </section>
      <Form method="post" noValidate className="card invoice-form">
        <InvoiceFormFields
          currency={invoice.currency}
          terms={terms}
          today={today}
          values={actionData?.values ?? values}
          errors={actionData?.errors ?? {}}
          message={actionData?.message}
        />
      </Form>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
