import { formatMoney } from "~/money/money";

/** Minor units of an ISO currency as the customer reads them ("$1,234.50", "¥1,235"). */
export const formatMinor = formatMoney;

const dateTime = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const dateOnly = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });

export const formatDateTime = (value: Date | string | null | undefined) => (value ? `${dateTime.format(new Date(value))} UTC` : "—");
export const formatDate = (value: Date | string | null | undefined) => (value ? dateOnly.format(new Date(value)) : "—");

/** Payment terms as AR people write them: "Net 30", or "2/10 net 30" with an early-payment discount. */
export function formatTerms({ paymentTermsDays, earlyDiscountBps, earlyDiscountDays }: { paymentTermsDays: number; earlyDiscountBps: number; earlyDiscountDays: number }) {
  if (earlyDiscountBps === 0) return `Net ${paymentTermsDays}`;
  const percent = `${Math.trunc(earlyDiscountBps / 100)}${earlyDiscountBps % 100 ? `.${String(earlyDiscountBps % 100).padStart(2, "0").replace(/0$/, "")}` : ""}`;
  return `${percent}/${earlyDiscountDays} net ${paymentTermsDays}`;
}

type Address = { addressLine1: string | null; addressLine2: string | null; city: string | null; region: string | null; postalCode: string | null; country: string | null };

/** The address as printed lines, in the order the country writes them (US and Canada put the postal code last). */
export function addressLines(a: Address): string[] {
  const postalLast = a.country === "US" || a.country === "CA";
  const locality = postalLast
    ? [a.city, [a.region, a.postalCode].filter(Boolean).join(" ")].filter(Boolean).join(", ")
    : [[a.postalCode, a.city].filter(Boolean).join(" "), a.region].filter(Boolean).join(", ");
  return [a.addressLine1, a.addressLine2, locality, a.country].filter((line): line is string => Boolean(line));
}

/** One line, in the order the country writes it. */
export const formatAddress = (a: Address) => addressLines(a).join(", ");
