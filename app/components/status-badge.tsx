import { statusLabels, statusTone, type InvoiceDisplayStatus } from "~/ledger/status";

export function InvoiceStatusBadge({ status }: { status: InvoiceDisplayStatus }) {
  return <span className={`badge ${statusTone[status]}`.trim()}>{statusLabels[status]}</span>;
}
