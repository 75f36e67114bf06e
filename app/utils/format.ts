/** Minor units of an ISO currency as the customer reads them ("$1,234.50", "¥1,235"). No float ever holds the amount. */
export function formatMinor(amountMinor: number, currency: string, locale = "en-US") {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency });
  const exponent = format.resolvedOptions().maximumFractionDigits ?? 2;
  const negative = amountMinor < 0;
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, "0");
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? "" : `.${digits.slice(-exponent)}`;
  // A decimal string keeps the value exact; Intl accepts it without passing through a float (ES2023).
  return format.format(`${negative ? "-" : ""}${whole}${fraction}` as unknown as number);
}

const dateTime = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const dateOnly = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });

export const formatDateTime = (value: Date | string | null | undefined) => (value ? `${dateTime.format(new Date(value))} UTC` : "—");
export const formatDate = (value: Date | string | null | undefined) => (value ? dateOnly.format(new Date(value)) : "—");
