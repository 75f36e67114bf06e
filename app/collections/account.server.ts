import { stringify } from "csv-stringify/sync";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { collectionAccounts, collectionContacts, collectionTasks, customers, dunningActions, invoices, promisesToPay, staffUsers, writeOffRequests } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { writeOffThresholdMinor } from "~/ledger/write-offs.server";
import { sumMinor, toDecimalString } from "~/money/money";
import { payableInvoices } from "~/payments/payable.server";
import { plannedAmounts } from "~/plans/plans.server";
import { daysBetween, today, type IsoDate } from "~/utils/dates";
import { addressLines } from "~/utils/format";
import { activeHolds } from "./holds.server";
import { groupBy } from "~/utils/group-by";

/** How much of the collector's log and the dunning history the account page shows. */
export const TIMELINE_SHOWN = 40;

/** The customer's header facts (a small query the account page's action also uses to 404 a wrong id). */
export async function collectionsCustomer(customerId: string, db: Db = getDb()) {
  const [row] = await db
    .select({ id: customers.id, name: customers.name, currency: customers.currency, timeZone: customers.timeZone })
    .from(customers)
    .where(eq(customers.id, customerId));
  return row ?? null;
}

/**
 * Everything the collector's account workspace shows, in a fixed number of queries: the customer
 * and its collections row, holds, the open invoices with what of each is disputed, in a plan and
 * still collectible, the open tasks, the promises (open first), and the collector's log beside
 * the dunning steps taken on the account's invoices (not those passed over for a later step). `asOf` is the customer's own day by default.
 */
export async function getCollectionsAccount(customerId: string, asOf?: IsoDate, db: Db = getDb()) {
  const [head] = await db
    .select({ customer: customers, collectorName: staffUsers.name, account: collectionAccounts })
    .from(customers)
    .leftJoin(staffUsers, eq(staffUsers.id, customers.collectorId))
    .leftJoin(collectionAccounts, eq(collectionAccounts.customerId, customers.id))
    .where(eq(customers.id, customerId));
  if (!head) return null;
  const { customer, account } = head;
  const day = asOf ?? today(customer.timeZone);

  const [holds, payable, planned, tasks, promises, contacts, dunning, pendingWriteOffs, thresholdMinor] = await Promise.all([
    activeHolds(customerId, db),
    payableInvoices(customerId, db),
    plannedAmounts(customerId, db),
    db
      .select({ task: collectionTasks, assigneeName: staffUsers.name })
      .from(collectionTasks)
      .leftJoin(staffUsers, eq(staffUsers.id, collectionTasks.assigneeId))
      .where(and(eq(collectionTasks.customerId, customerId), eq(collectionTasks.status, "open")))
      .orderBy(asc(collectionTasks.dueOn), asc(collectionTasks.createdAt)),
    db
      .select()
      .from(promisesToPay)
      .where(eq(promisesToPay.customerId, customerId))
      .orderBy(sql`${promisesToPay.status} = 'open' desc`, desc(promisesToPay.promisedOn), desc(promisesToPay.createdAt))
      .limit(50),
    db
      .select({ contact: collectionContacts, staffName: staffUsers.name })
      .from(collectionContacts)
      .leftJoin(staffUsers, eq(staffUsers.id, collectionContacts.staffId))
      .where(eq(collectionContacts.customerId, customerId))
      .orderBy(desc(collectionContacts.createdAt))
      .limit(TIMELINE_SHOWN),
    db
      .select({
        id: dunningActions.id,
        at: dunningActions.createdAt,
        stepId: dunningActions.stepId,
        period: dunningActions.period,
        action: dunningActions.action,
        outcome: dunningActions.outcome,
        takenOn: dunningActions.takenOn,
        reason: dunningActions.reason,
        amountMinor: dunningActions.amountMinor,
        currency: dunningActions.currency,
        invoiceId: dunningActions.invoiceId,
        invoiceNumber: invoices.number,
      })
      .from(dunningActions)
      .innerJoin(invoices, eq(invoices.id, dunningActions.invoiceId))
      // A step passed over for a later one did nothing the customer saw.
      .where(and(eq(dunningActions.customerId, customerId), eq(dunningActions.outcome, "taken")))
      .orderBy(desc(dunningActions.createdAt), desc(dunningActions.id))
      .limit(TIMELINE_SHOWN),
    db
      .select({ invoiceId: writeOffRequests.invoiceId, amountMinor: writeOffRequests.amountMinor })
      .from(writeOffRequests)
      .where(and(eq(writeOffRequests.customerId, customerId), eq(writeOffRequests.status, "pending"))),
    writeOffThresholdMinor(customer.currency, db),
  ]);

  const waiting = new Map(pendingWriteOffs.map((r) => [r.invoiceId, r.amountMinor]));
  const openInvoices = payable.map((invoice) => {
    const plannedMinor = Math.min(planned.get(invoice.id) ?? 0, invoice.payableMinor);
    const daysOverdue = invoice.dueDate ? daysBetween(invoice.dueDate, day) : 0;
    return {
      id: invoice.id,
      number: invoice.number,
      issueDate: invoice.issueDate,
      dueDate: invoice.dueDate,
      totalMinor: invoice.totalMinor,
      openMinor: invoice.openMinor,
      disputedMinor: invoice.disputedMinor,
      plannedMinor,
      /** What dunning chases: open, less disputed, less what a plan in good standing covers. */
      collectibleMinor: invoice.payableMinor - plannedMinor,
      daysOverdue: Math.max(0, daysOverdue),
      overdue: daysOverdue > 0,
      pendingWriteOffMinor: waiting.get(invoice.id) ?? null,
    };
  });
  const overdueInvoices = openInvoices.filter((i) => i.overdue);
  const openPromises = promises.filter((p) => p.status === "open");

  const timeline = [
    ...contacts.map(({ contact, staffName }) => ({
      key: `c:${contact.id}`,
      at: contact.createdAt,
      source: "contact" as const,
      kind: contact.kind,
      outcome: contact.outcome,
      body: contact.body,
      by: staffName,
    })),
    // One entry per step and day, naming its invoices: a first run over a backlog takes the same
    // step on many invoices at once.
    ...[...groupBy(dunning, (a) => `${a.takenOn}:${a.stepId}:${a.period}`).values()].map((group) => {
      const [first] = group;
      const amounts = group.map((a) => a.amountMinor).filter((a): a is number => a !== null);
      return {
        key: `d:${first!.id}`,
        at: first!.at,
        source: "dunning" as const,
        action: first!.action,
        outcome: first!.outcome,
        stepId: first!.stepId,
        period: first!.period,
        takenOn: first!.takenOn,
        reason: group.length === 1 ? first!.reason : `${group.length} invoices`,
        amountMinor: amounts.length > 0 && first!.action === "late_fee" ? amounts.reduce((sum, a) => sum + a, 0) : group.length === 1 ? first!.amountMinor : null,
        currency: first!.currency,
        invoices: group.map((a) => ({ id: a.invoiceId, number: a.invoiceNumber })),
      };
    }),
  ]
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, TIMELINE_SHOWN);

  return {
    asOf: day,
    customer: {
      id: customer.id,
      name: customer.name,
      accountNumber: customer.accountNumber,
      email: customer.email,
      phone: customer.phone,
      address: addressLines(customer),
      timeZone: customer.timeZone,
      currency: customer.currency,
      creditLimitMinor: customer.creditLimitMinor,
      creditHold: customer.creditHold,
      segment: customer.segment,
      collectorId: customer.collectorId,
      collectorName: head.collectorName,
    },
    account: {
      stage: account?.stage ?? "none",
      score: account?.score ?? 0,
      scoreReasons: (account?.scoreReasons ?? []) as unknown[],
      scoredAt: account?.scoredAt ?? null,
      snoozedUntil: account?.snoozedUntil && account.snoozedUntil > day ? account.snoozedUntil : null,
      snoozeReason: account?.snoozedUntil && account.snoozedUntil > day ? account.snoozeReason : null,
      escalatedAt: account?.escalatedAt ?? null,
      agency: account?.agency ?? null,
      lastContactAt: account?.lastContactAt ?? null,
      lastDunnedOn: account?.lastDunnedOn ?? null,
      nextFollowUpOn: account?.nextFollowUpOn ?? null,
    },
    holds: holds.map((h) => ({ id: h.id, reason: h.reason, source: h.source, placedAt: h.placedAt })),
    totals: {
      openMinor: sumMinor(openInvoices.map((i) => i.openMinor)),
      overdueMinor: sumMinor(overdueInvoices.map((i) => i.openMinor)),
      disputedMinor: sumMinor(openInvoices.map((i) => i.disputedMinor)),
      plannedMinor: sumMinor(openInvoices.map((i) => i.plannedMinor)),
      collectibleMinor: sumMinor(openInvoices.map((i) => i.collectibleMinor)),
      promisedMinor: sumMinor(openPromises.map((p) => p.amountMinor)),
      oldestOverdueDays: overdueInvoices.reduce((max, i) => Math.max(max, i.daysOverdue), 0),
      /** What a new promise may still cover: the payable balance not yet promised. */
      promisableMinor: Math.max(0, sumMinor(openInvoices.map((i) => i.openMinor - i.disputedMinor)) - sumMinor(openPromises.map((p) => p.amountMinor))),
    },
    openInvoices,
    tasks: tasks.map(({ task, assigneeName }) => ({ id: task.id, kind: task.kind, title: task.title, dueOn: task.dueOn, assigneeName, overdue: task.dueOn < day, dueToday: task.dueOn === day })),
    promises: promises.map((p) => ({
      id: p.id,
      amountMinor: p.amountMinor,
      currency: p.currency,
      promisedOn: p.promisedOn,
      madeOn: p.madeOn,
      status: p.status,
      source: p.source,
      note: p.note,
      receivedMinor: p.receivedMinor,
    })),
    timeline,
    writeOffThresholdMinor: thresholdMinor,
  };
}

export type CollectionsAccount = NonNullable<Awaited<ReturnType<typeof getCollectionsAccount>>>;

const agencyColumns = [
  "invoice_number",
  "issue_date",
  "due_date",
  "days_overdue",
  "currency",
  "total",
  "open",
  "disputed",
  "customer_name",
  "account_number",
  "customer_address",
  "customer_email",
  "customer_phone",
  "agency",
] as const;

// A spreadsheet runs a cell that starts like a formula; names and addresses are quoted out of that.
const cell = (value: string | null) => (value === null ? null : /^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

/**
 * The account's open items for a collection agency: one row per open invoice with the customer's
 * name, address and contact on each, amounts as plain decimals of the account's currency.
 */
export function agencyCsv(account: CollectionsAccount): string {
  const { customer } = account;
  const amount = (minor: number) => toDecimalString(minor, customer.currency);
  const rows = account.openInvoices.map((invoice) => ({
    invoice_number: cell(invoice.number),
    issue_date: invoice.issueDate,
    due_date: invoice.dueDate,
    days_overdue: invoice.daysOverdue,
    currency: customer.currency,
    total: amount(invoice.totalMinor),
    open: amount(invoice.openMinor),
    disputed: amount(invoice.disputedMinor),
    customer_name: cell(customer.name),
    account_number: cell(customer.accountNumber),
    customer_address: cell(customer.address.join(", ")),
    customer_email: cell(customer.email),
    customer_phone: cell(customer.phone),
    agency: cell(account.account.agency),
  }));
  // The byte-order mark tells Excel the file is UTF-8.
  return stringify(rows, { header: true, bom: true, columns: [...agencyColumns], cast: { number: String } });
}

/** The collections facts the customer page shows beside a link to the account workspace. */
export async function collectionsSummary(customerId: string, db: Db = getDb()) {
  const [[account], promises, holds, [tasks]] = await Promise.all([
    db
      .select({ stage: collectionAccounts.stage, score: collectionAccounts.score, snoozedUntil: collectionAccounts.snoozedUntil, agency: collectionAccounts.agency, nextFollowUpOn: collectionAccounts.nextFollowUpOn })
      .from(collectionAccounts)
      .where(eq(collectionAccounts.customerId, customerId)),
    db
      .select({ amountMinor: promisesToPay.amountMinor, currency: promisesToPay.currency, promisedOn: promisesToPay.promisedOn })
      .from(promisesToPay)
      .where(and(eq(promisesToPay.customerId, customerId), eq(promisesToPay.status, "open")))
      .orderBy(asc(promisesToPay.promisedOn)),
    activeHolds(customerId, db),
    db
      .select({ count: sql<number>`count(*)`.mapWith(Number) })
      .from(collectionTasks)
      .where(and(eq(collectionTasks.customerId, customerId), eq(collectionTasks.status, "open"))),
  ]);
  return {
    stage: account?.stage ?? "none",
    score: account?.score ?? 0,
    snoozedUntil: account?.snoozedUntil ?? null,
    agency: account?.agency ?? null,
    nextFollowUpOn: account?.nextFollowUpOn ?? null,
    openPromiseCount: promises.length,
    promisedMinor: sumMinor(promises.map((p) => p.amountMinor)),
    nextPromiseOn: promises[0]?.promisedOn ?? null,
    holdReasons: holds.map((h) => h.reason),
    openTaskCount: tasks?.count ?? 0,
  };
}
