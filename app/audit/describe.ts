import { formatMoney } from "~/money/money";
import { formatDate } from "~/utils/format";

/** An audit entry as the log holds it, with the actor's name where it could be looked up. */
export type DescribableEntry = {
  action: string;
  actorType: string;
  actorLabel: string | null;
  actorName?: string | null;
  before: unknown;
  after: unknown;
};

type Fields = Record<string, unknown>;

const fieldsOf = (value: unknown): Fields => (value && typeof value === "object" && !Array.isArray(value) ? (value as Fields) : {});
const text = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim() : null);
const amount = (value: unknown) => (typeof value === "number" && Number.isSafeInteger(value) ? value : null);

const methodWords: Record<string, string> = {
  check: "check",
  wire: "wire transfer",
  ach: "ACH",
  cash: "cash",
  card: "card",
  bank_debit: "bank debit",
};
const withArticle = (words: string) => `${/^(?:[aeiou]|ACH)/i.test(words) ? "an" : "a"} ${words}`;

const customerFieldLabels: Record<string, string> = {
  accountNumber: "account number",
  name: "name",
  legalName: "legal name",
  email: "billing email",
  phone: "phone",
  addressLine1: "address",
  addressLine2: "address",
  city: "city",
  region: "region",
  postalCode: "postal code",
  country: "country",
  currency: "currency",
  paymentTermsDays: "payment terms",
  earlyDiscountBps: "early-payment discount",
  earlyDiscountDays: "early-payment discount",
  creditLimitMinor: "credit limit",
  creditHold: "credit hold",
  taxId: "tax ID",
  externalRef: "external reference",
  segment: "segment",
  timeZone: "time zone",
  collectorId: "collector",
};

const callOutcomeWords: Record<string, string> = {
  reached: "reached them",
  voicemail: "left a voicemail",
  wrong_number: "wrong number",
  promised: "they promised to pay",
  disputed: "they dispute the balance",
  refused: "they refused to pay",
};
const toneWords: Record<string, string> = { upcoming: "friendly heads-up", reminder: "reminder", firm: "firm reminder", final: "final notice" };

const documentWords: Record<string, string> = { credit_note: "credit note", discount: "early-payment discount", write_off: "write-off" };

function actorOf(entry: DescribableEntry) {
  if (entry.actorName) return entry.actorName;
  if (entry.actorType === "system") return entry.actorLabel ? `Settle (${entry.actorLabel})` : "Settle";
  return entry.actorLabel ?? "Someone";
}

function list(items: string[]) {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/**
 * One audit entry in words, as the customer's timeline shows it: "Priya Raman issued invoice
 * INV-000123 for $1,250.00". Amounts are in `currency` (a customer's entries are all in its
 * currency); an action this does not know reads as its name.
 */
export function describeAudit(entry: DescribableEntry, currency?: string): string {
  const before = fieldsOf(entry.before);
  const after = fieldsOf(entry.after);
  const cur = text(after.currency) ?? currency;
  const money = (value: unknown) => {
    const minor = amount(value);
    return minor === null || !cur ? null : formatMoney(minor, cur);
  };
  const forAmount = (value: unknown) => (money(value) ? ` for ${money(value)}` : "");
  const ofAmount = (value: unknown) => (money(value) ? ` of ${money(value)}` : "");
  const because = (value: unknown) => (text(value) ? `: ${text(value)}` : "");
  const applied = (value: unknown) =>
    Array.isArray(value)
      ? list(value.map((item) => `${money(fieldsOf(item).amountMinor) ?? "an amount"} to ${text(fieldsOf(item).invoice) ?? "an invoice"}`))
      : "";
  const doc = (word: string, number: unknown) => (text(number) ? `${word} ${text(number)}` : withArticle(word));
  const invoice = (fields: Fields) => (text(fields.number) ? `invoice ${text(fields.number)}` : "an invoice");
  const who = actorOf(entry);
  const [kind] = entry.action.split(".");

  const sentence = ((): string | null => {
    switch (entry.action) {
      case "customer.create":
        return `opened the account${text(after.accountNumber) ? ` ${text(after.accountNumber)}` : ""}`;
      case "customer.update": {
        const { creditHold, ...changed } = after;
        const changes = [
          ...new Set(
            Object.keys(changed).map((key) => {
              if (key === "creditLimitMinor") return `credit limit to ${money(after.creditLimitMinor) ?? "none"}`;
              if (key === "paymentTermsDays" && amount(after.paymentTermsDays) !== null) return `payment terms to net ${after.paymentTermsDays}`;
              return customerFieldLabels[key] ?? key;
            }),
          ),
        ];
        const parts = changes.length ? [`changed the ${list(changes)}`] : [];
        if (typeof creditHold === "boolean") parts.push(creditHold ? "put the account on credit hold" : "took the account off credit hold");
        return parts.length ? parts.join(" and ") : "saved the account without changes";
      }
      case "contact.invited":
        return `invited ${text(after.name) ?? "a contact"}${text(after.email) ? ` (${text(after.email)})` : ""} to the portal`;
      case "contact.reinvited":
        return `sent a new portal invitation to ${text(after.name) ?? "a contact"}${text(after.email) ? ` (${text(after.email)})` : ""}`;
      case "portal.sign_in":
        return "signed in to the portal";
      case "portal.sign_in_link_requested":
        return "asked for a portal sign-in link";
      case "portal.invitation_accepted":
        return "accepted the portal invitation";
      case "portal.password_set":
        return "set a portal password";
      case "portal.password_removed":
        return "removed their portal password";
      case "portal.email_preferences":
        return "changed which emails they receive";
      case "portal.sign_out":
        return "signed out of the portal";
      case "portal.sign_out_everywhere":
        return "signed out of the portal on every device";
      case "invoice.create_draft":
        return `drafted an invoice${forAmount(after.totalMinor)}`;
      case "invoice.update_draft":
        return `edited a draft invoice${money(after.totalMinor) ? `, now ${money(after.totalMinor)}` : ""}`;
      case "invoice.delete_draft":
        return `deleted a draft invoice${forAmount(before.totalMinor)}`;
      case "invoice.issue":
        return `issued ${invoice(after)}${forAmount(after.totalMinor)}`;
      case "invoice.void":
        return `voided ${invoice(before)}${forAmount(before.totalMinor)}${because(after.reason)}`;
      case "payment.record": {
        const method = methodWords[text(after.method) ?? ""];
        return `recorded ${withArticle(method ? `${method} payment` : "payment")}${ofAmount(after.amountMinor)}${text(after.reference) ? ` (reference ${text(after.reference)})` : ""}`;
      }
      case "payment.apply":
        return `applied a payment: ${applied(entry.after) || "nothing"}`;
      case "credit_note.apply":
        return `applied a credit: ${applied(entry.after) || "nothing"}`;
      case "allocation.unapply":
        return `took back ${money(before.amountMinor) ?? "an amount"} applied to an invoice${because(after.reason)}`;
      case "payment.reverse":
        return `reversed a payment${because(after.reason)}`;
      case "refund.create": {
        const method = text(after.method);
        return `refunded ${money(after.amountMinor) ?? "money"}${method && methodWords[method] ? ` by ${methodWords[method]}` : ""}${because(after.reason)}`;
      }
      case "credit_note.issue":
        return `issued ${doc("credit note", after.number)}${forAmount(after.totalMinor)}${text(after.invoice) ? ` against invoice ${text(after.invoice)}` : ""}${because(after.reason)}`;
      case "discount.issue":
        return `gave an early-payment discount${ofAmount(after.totalMinor)}${text(after.invoice) ? ` on invoice ${text(after.invoice)}` : ""}`;
      case "write_off.issue":
        return `wrote off ${money(after.totalMinor) ?? "part"}${text(after.invoice) ? ` of invoice ${text(after.invoice)}` : ""}${because(after.reason)}`;
      case "credit_note.void":
      case "discount.void":
      case "write_off.void":
        return `voided ${doc(documentWords[kind!]!, before.number)}${forAmount(before.totalMinor)}${because(after.reason)}`;
      case "write_off.request":
        return `asked to write off ${money(after.amountMinor) ?? "an amount"}, which needs an admin's approval${because(after.reason)}`;
      case "write_off.approve":
        return `approved a write-off${because(after.note)}`;
      case "write_off.reject":
        return `rejected a write-off${because(after.note)}`;
      case "staff.sign_in":
        return "signed in";
      case "staff.sign_in_failed":
        return `refused a staff sign-in${text(after.email) ? ` for ${text(after.email)}` : ""}`;
      case "staff.sign_out":
        return "signed out";
      case "staff.sign_out_everywhere":
        return "signed out on every device";
      case "staff_user.created":
        return `added ${text(after.name) ?? "a staff user"}${text(after.role) ? ` as ${text(after.role)}` : ""}`;
      case "settings.update":
        return "changed the settings";
      case "dispute.open":
        return `disputed ${money(after.amountMinor) ?? "an amount"}${text(after.invoice) ? ` of invoice ${text(after.invoice)}` : ""}${text(after.line) ? ` (${text(after.line)})` : ""}`;
      case "dispute.message":
        return "wrote in a dispute";
      case "dispute.assign":
        return `assigned a dispute to ${text(after.assignedTo) ?? "someone"}`;
      case "dispute.accept":
        return `accepted a dispute, crediting ${money(after.acceptedMinor) ?? "an amount"}${text(after.creditNote) ? ` with credit note ${text(after.creditNote)}` : ""}`;
      case "dispute.reject":
        return `rejected a dispute${because(after.reason)}`;
      case "dispute.withdraw":
        return "withdrew a dispute";
      case "plan.create":
        return `set up a payment plan${forAmount(after.totalMinor)} in ${amount(after.instalmentCount) ?? "several"} instalments${after.status === "pending_approval" ? ", for approval" : ""}`;
      case "plan.approve":
        return `approved a payment plan${because(after.note)}`;
      case "plan.reject":
        return `rejected a payment plan${because(after.note)}`;
      case "plan.autopay_on":
        return "turned on autopay for a payment plan";
      case "plan.autopay_off":
        return "turned off autopay for a payment plan";
      case "plan.instalment_paid":
        return `collected instalment ${amount(after.seq) ?? ""} of a payment plan${forAmount(after.amountMinor)}`;
      case "plan.instalment_failed":
        return `could not collect instalment ${amount(after.seq) ?? ""} of a payment plan${because(after.reason)}`;
      case "plan.default":
        return "ended a payment plan as defaulted";
      case "plan.complete":
        return "completed a payment plan";
      case "online_payment.succeeded":
        return `paid ${money(after.amountMinor) ?? "an amount"} online`;
      case "api_key.create":
        return `created the API key ${text(after.name) ?? ""}`.trimEnd();
      case "api_key.revoke":
        return `revoked the API key ${text(before.name) ?? ""}`.trimEnd();
      case "collections.policy_save": {
        const name = text(after.name) ?? text(before.name);
        const policy = name ? `the dunning policy “${name}”` : "a dunning policy";
        if (after.isDefault === false && before.isDefault === true && text(after.replacedBy)) return `made “${text(after.replacedBy)}” the default dunning policy instead of “${name ?? "another"}”`;
        const made = after.isDefault === true && before.isDefault !== true ? " and made it the default" : "";
        return `${after.created === true ? "created" : "changed"} ${policy}${made}`;
      }
      case "collections.policy_archive":
        return `archived the dunning policy${text(after.name) ?? text(before.name) ? ` “${text(after.name) ?? text(before.name)}”` : ""}`;
      case "collections.account_policy":
        if (text(after.policy)) return `put the account on the dunning policy “${text(after.policy)}”`;
        return `took the account off the dunning policy${text(before.policy) ? ` “${text(before.policy)}”` : ""}${after.reason === "policy archived" ? ", which was archived" : ""}; it follows its segment's policy or the default`;
      case "fee.charge":
        return `charged ${after.kind === "interest" ? "interest" : "a late fee"}${ofAmount(after.amountMinor)}${text(after.onInvoice) ? ` on invoice ${text(after.onInvoice)}` : ""}${text(after.number) ? ` (${text(after.number)})` : ""}${because(after.reason)}`;
      case "fee.waive":
        return `waived ${doc("fee", after.number ?? before.number)}${ofAmount(after.amountMinor)}${because(after.reason)}`;
      case "import.upload":
        return `uploaded ${text(after.filename) ?? "a file"} for import`;
      case "import.apply":
        return `imported ${text(after.filename) ?? "a file"}`;
      case "email.bounced":
        return `reported that the email${text(after.subject) ? ` “${text(after.subject)}”` : ""} to ${text(after.address) ?? "an address"} bounced${text(after.detail) ? ` (${text(after.detail)})` : ""}; Settle no longer emails that address`;
      case "email.complained":
        return `reported that ${text(after.address) ?? "a recipient"} marked${text(after.subject) ? ` “${text(after.subject)}”` : " an email"} as spam; Settle no longer emails that address`;
      case "email_suppression.clear":
        return `let Settle email ${text(after.address) ?? "an address"} again${text(before.reason) ? ` after it ${before.reason === "complained" ? "complained" : "bounced"}` : ""}`;
      case "collections.call": {
        const outcome = callOutcomeWords[text(after.outcome) ?? ""];
        const promised = money(after.amountMinor) && text(after.promisedOn) ? `, a promise to pay ${money(after.amountMinor)} by ${formatDate(text(after.promisedOn))}` : "";
        return `logged a call${outcome ? ` (${outcome})` : ""}${promised}${because(after.note)}`;
      }
      case "collections.note":
        return `added a note${because(after.note)}`;
      case "collections.reminder":
        return `sent ${withArticle(toneWords[text(after.tone) ?? ""] ?? "reminder")} by hand${Array.isArray(after.to) && after.to.length ? ` to ${list(after.to.filter((t): t is string => typeof t === "string"))}` : ""}`;
      case "collections.promise": {
        const promise = `${money(after.amountMinor) ?? "an amount"}${text(after.promisedOn) ? ` by ${formatDate(text(after.promisedOn))}` : ""}`;
        return entry.actorType === "portal" ? `promised to pay ${promise}` : `recorded a promise to pay ${promise}`;
      }
      case "collections.promise_cancel":
        return `canceled a promise to pay${because(after.note)}`;
      case "collections.promise_kept":
        return `marked a promise to pay as kept${money(after.receivedMinor) ? ` (${money(after.receivedMinor)} came in)` : ""}`;
      case "collections.promise_broken":
        return `marked a promise to pay as broken${amount(after.receivedMinor) ? ` (only ${money(after.receivedMinor)} came in)` : ""} and opened a follow-up task`;
      case "collections.snooze":
        return `snoozed collections until ${formatDate(text(after.snoozedUntil))}${because(after.reason)}`;
      case "collections.unsnooze":
        return "ended the collections snooze";
      case "collections.escalate":
        return `escalated the account to ${text(after.agency) ?? "a collection agency"}${because(after.note)}`;
      case "collections.hold_place":
        return `put the account on credit hold${because(after.reason)}`;
      case "collections.hold_lift":
        return `took the account off credit hold${because(after.note)}`;
      case "collections.task_open":
        return `opened the task “${text(after.title) ?? "a task"}”${text(after.dueOn) ? `, due ${formatDate(text(after.dueOn))}` : ""}`;
      case "collections.task_done":
        return `completed the task “${text(after.title) ?? "a task"}”${because(after.outcome)}`;
      case "collections.task_cancel":
        return `canceled the task “${text(after.title) ?? "a task"}”${because(after.outcome)}`;
      case "collections.assign": {
        const rule = text(after.rule) ? ` by the assignment rule for ${text(after.rule)}` : "";
        if (!text(after.collectorName) && !text(after.collectorId)) return `took the account away from ${text(before.collectorName) ?? "its collector"}; nobody collects it now`;
        return `gave the account to ${text(after.collectorName) ?? "a collector"} to collect${text(before.collectorName) ? ` (it was ${text(before.collectorName)}'s)` : ""}${rule}`;
      }
      case "collections.rule_save":
        return `${entry.before ? "changed" : "added"} an assignment rule giving accounts to ${text(after.collectorName) ?? "a collector"}`;
      case "collections.rule_delete":
        return "deleted an assignment rule";
      case "collections.rule_move":
        return `moved an assignment rule to place ${amount(after.position) ?? "another place"}`;
      default:
        return null;
    }
  })();
  return sentence ? `${who} ${sentence}` : `${who}: ${entry.action}`;
}
