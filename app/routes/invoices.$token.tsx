import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { InvoiceDocumentView } from "~/components/invoice-document";
import { Money } from "~/components/money";
import { requirePublicInvoice } from "~/documents/public-invoice.server";
import { formatDate } from "~/utils/format";

// Whoever holds the link sees the invoice; search engines must not, even if a link leaks.
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Invoice ${data.doc.number} · ${data.doc.company.companyName}` : "Invoice not found" },
  { name: "robots", content: "noindex, nofollow" },
];

export const headers: HeadersFunction = () => ({ "X-Robots-Tag": "noindex, nofollow", "Cache-Control": "private, no-store" });

export async function loader({ params }: LoaderFunctionArgs) {
  const { doc, token } = await requirePublicInvoice(params);
  return { doc, pdfHref: `/invoices/${token}.pdf`, payHref: `/portal/sign-in?redirectTo=${encodeURIComponent("/portal")}` };
}

export default function PublicInvoice() {
  const { doc, pdfHref, payHref } = useLoaderData<typeof loader>();
  const payable = doc.amountDueMinor > 0;
  return (
    <main className="document-page">
      <div className="document-bar no-print">
        <div className="document-summary">
          {payable ? (
            <>
              <span className="muted">Amount due</span>
              <strong>
                <Money minor={doc.amountDueMinor} currency={doc.currency} />
              </strong>
              <span className="muted">{doc.status === "overdue" ? `was due ${formatDate(doc.dueDate)}` : `by ${formatDate(doc.dueDate)}`}</span>
            </>
          ) : (
            <strong>{doc.status === "void" ? "This invoice is void; nothing is due." : "Nothing is due on this invoice. Thank you."}</strong>
          )}
        </div>
        <div className="actions">
          {payable ? (
            <a className="button" href={payHref}>
              Pay online
            </a>
          ) : null}
          <a className="button secondary" href={pdfHref} download>
            Download PDF
          </a>
          <button type="button" className="button secondary" onClick={() => window.print()}>
            Print
          </button>
        </div>
      </div>
      <div className="document-paper">
        <InvoiceDocumentView doc={doc} headingLevel="h1" />
      </div>
      {doc.company.supportEmail ? (
        <p className="document-foot muted no-print">
          Questions about this invoice? Write to <a href={`mailto:${doc.company.supportEmail}`}>{doc.company.supportEmail}</a>.
        </p>
      ) : null}
    </main>
  );
}

export function ErrorBoundary() {
  return (
    <main className="document-page">
      <GeneralErrorBoundary />
    </main>
  );
}
