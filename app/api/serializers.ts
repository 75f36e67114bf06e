import type { Customer, Invoice, InvoiceLine, Payment, Refund } from "~db/schema";
import type { CreditStanding } from "~/collections/credit.server";
import type { InvoiceDisplayStatus } from "~/ledger/status";
import { formatQuantity } from "~/money/money";

/**
 * What the JSON API answers: snake_case, amounts as integer minor units with their currency,
 * dates as ISO strings. One function per resource, so a field reads the same in every answer.
 */

export type ApiMoney = { amount_minor: number; currency: string };

export const money = (amountMinor: number, currency: string): ApiMoney => ({ amount_minor: amountMinor, currency });

const instant = (value: Date | null) => value?.toISOString() ?? null;

type CustomerSummary = { balanceMinor: number; openMinor: number; unappliedMinor: number; overdueMinor: number; openInvoiceCount: number };

export function serializeCustomer(customer: Customer, summary?: CustomerSummary | null) {
  const { currency } = customer;
  return {
    object: "customer" as const,
    id: customer.id,
    account_number: customer.accountNumber,
    name: customer.name,
    legal_name: customer.legalName,
    email: customer.email,
    phone: customer.phone,
    address_line1: customer.addressLine1,
    address_line2: customer.addressLine2,
    city: customer.city,
    region: customer.region,
    postal_code: customer.postalCode,
    country: customer.country,
    currency,
    payment_terms_days: customer.paymentTermsDays,
    early_discount_bps: customer.earlyDiscountBps,
    early_discount_days: customer.earlyDiscountDays,
    credit_limit: customer.creditLimitMinor === null ? null : money(customer.creditLimitMinor, currency),
    credit_hold: customer.creditHold,
    tax_id: customer.taxId,
    external_ref: customer.externalRef,
    segment: customer.segment,
    time_zone: customer.timeZone,
    collector_id: customer.collectorId,
    status: customer.status,
    created_at: instant(customer.createdAt),
    updated_at: instant(customer.updatedAt),
    ...(summary
      ? {
          balance: {
            balance: money(summary.balanceMinor, currency),
            open: money(summary.openMinor, currency),
            overdue: money(summary.overdueMinor, currency),
            unapplied: money(summary.unappliedMinor, currency),
            open_invoice_count: summary.openInvoiceCount,
          },
        }
      : {}),
  };
}

type InvoiceSummaryRow = Pick<Invoice, "id" | "number" | "status" | "customerId" | "currency" | "issueDate" | "dueDate" | "totalMinor" | "openMinor" | "createdAt"> & {
  displayStatus: InvoiceDisplayStatus;
};

export function serializeInvoiceSummary(invoice: InvoiceSummaryRow) {
  return {
    object: "invoice" as const,
    id: invoice.id,
    number: invoice.number,
    status: invoice.status,
    display_status: invoice.displayStatus,
    customer_id: invoice.customerId,
    currency: invoice.currency,
    issue_date: invoice.issueDate,
    due_date: invoice.dueDate,
    total: money(invoice.totalMinor, invoice.currency),
    open: money(invoice.openMinor, invoice.currency),
    created_at: instant(invoice.createdAt),
  };
}

export function serializeInvoice({ invoice, lines }: { invoice: Invoice; lines: InvoiceLine[] }, displayStatus: InvoiceDisplayStatus) {
  const m = (amountMinor: number) => money(amountMinor, invoice.currency);
  return {
    ...serializeInvoiceSummary({ ...invoice, displayStatus }),
    source: invoice.source,
    discount_due_date: invoice.discountDueDate,
    po_number: invoice.poNumber,
    memo: invoice.memo,
    external_ref: invoice.externalRef,
    subtotal: m(invoice.subtotalMinor),
    tax: m(invoice.taxMinor),
    paid: m(invoice.paidMinor),
    credited: m(invoice.creditedMinor),
    discounted: m(invoice.discountedMinor),
    written_off: m(invoice.writtenOffMinor),
    issued_at: instant(invoice.issuedAt),
    voided_at: instant(invoice.voidedAt),
    void_reason: invoice.voidReason,
    lines: lines.map((line) => ({
      position: line.position,
      description: line.description,
      // A decimal string, like the amounts' integers: no float ever carries a quantity.
      quantity: formatQuantity(line.quantityMilli),
      unit_price: m(line.unitPriceMinor),
      tax_rate_bps: line.taxRateBps,
      net: m(line.netMinor),
      tax: m(line.taxMinor),
      total: m(line.totalMinor),
    })),
  };
}

type PaymentSummaryRow = Pick<Payment, "id" | "customerId" | "currency" | "amountMinor" | "allocatedMinor" | "refundedMinor" | "chargedBackMinor" | "method" | "reference" | "receivedOn" | "status" | "createdAt">;

export function serializePaymentSummary(payment: PaymentSummaryRow) {
  const m = (amountMinor: number) => money(amountMinor, payment.currency);
  return {
    object: "payment" as const,
    id: payment.id,
    customer_id: payment.customerId,
    status: payment.status,
    method: payment.method,
    reference: payment.reference,
    received_on: payment.receivedOn,
    amount: m(payment.amountMinor),
    allocated: m(payment.allocatedMinor),
    refunded: m(payment.refundedMinor),
    unapplied: m(payment.status === "received" ? payment.amountMinor - payment.allocatedMinor - payment.refundedMinor - payment.chargedBackMinor : 0),
    created_at: instant(payment.createdAt),
  };
}

type AllocationRow = { id: string; invoiceId: string; invoiceNumber: string | null; amountMinor: number; appliedOn: string; reversesId: string | null; reversed: boolean };

export function serializePayment({ payment, applied, refunds }: { payment: Payment; applied: AllocationRow[]; refunds: Refund[] }) {
  const m = (amountMinor: number) => money(amountMinor, payment.currency);
  return {
    ...serializePaymentSummary(payment),
    memo: payment.memo,
    external_ref: payment.externalRef,
    source: payment.source,
    reversed_at: instant(payment.reversedAt),
    reversal_reason: payment.reversalReason,
    // Append-only, as in the books: taking an allocation back is a negative row naming the one it undoes.
    allocations: applied.map((a) => ({
      id: a.id,
      invoice_id: a.invoiceId,
      invoice_number: a.invoiceNumber,
      amount: m(a.amountMinor),
      applied_on: a.appliedOn,
      reverses_id: a.reversesId,
      reversed: Boolean(a.reversed),
    })),
    refunds: refunds.map((r) => ({ id: r.id, amount: m(r.amountMinor), method: r.method, reference: r.reference, refunded_on: r.refundedOn, status: r.status, reason: r.reason })),
  };
}

/** Whether to extend more credit, as the business's order system asks before it ships. */
export function serializeCreditStanding(standing: CreditStanding) {
  const m = (amountMinor: number) => money(amountMinor, standing.currency);
  return {
    object: "credit_standing" as const,
    customer_id: standing.customerId,
    as_of: standing.asOf,
    currency: standing.currency,
    decision: standing.decision,
    reasons: standing.reasons,
    credit_limit: standing.creditLimitMinor === null ? null : m(standing.creditLimitMinor),
    balance: m(standing.balanceMinor),
    available: standing.availableMinor === null ? null : m(standing.availableMinor),
    order_amount: standing.orderAmountMinor === null ? null : m(standing.orderAmountMinor),
    overdue: m(standing.overdueMinor),
    oldest_overdue_days: standing.oldestOverdueDays,
    on_hold: standing.onHold,
    holds: standing.holds.map((hold) => ({ reason: hold.reason, source: hold.source, since: instant(hold.since) })),
    risk_grade: standing.riskGrade,
    risk_reasons: standing.riskReasons,
  };
}
