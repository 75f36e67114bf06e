/**
 * A year of believable receivables for the demo business, made through the same domain
 * functions as the back office (one code path): invoices issued over the past 12 months, paid on
 * time, late, in part or not at all depending on each customer's habits, with a few credit notes,
 * a bounced check, an overpayment and write-offs. Deterministic, and skipped when invoices exist.
 */
import { asc, count, eq } from "drizzle-orm";
import type { Actor } from "~/audit/audit.server";
import { issueCreditNote } from "~/ledger/credit-notes.server";
import { createIssuedInvoice } from "~/ledger/invoices.server";
import { recordPayment, reversePayment } from "~/ledger/payments.server";
import { requestWriteOff } from "~/ledger/write-offs.server";
import { percentOf } from "~/money/money";
import { addDays, daysBetween, today as todayIn, type IsoDate } from "~/utils/dates";
import type { Db } from "./client";
import { customers, invoices, staffUsers } from "./schema";

const catalog = [
  { description: "Steel angle brackets, box of 50", unitPrice: 4250 },
  { description: "Nitrile safety gloves, case of 1,000", unitPrice: 8990 },
  { description: "Hex bolts M10 x 60, box of 100", unitPrice: 2375 },
  { description: "Industrial shelving unit 2.1 m", unitPrice: 38900 },
  { description: "Pallet wrap film, roll", unitPrice: 1895 },
  { description: "LED high-bay fixture 150 W", unitPrice: 21450 },
  { description: "Hydraulic hose assembly", unitPrice: 6780 },
  { description: "Forklift maintenance visit", unitPrice: 29500 },
  { description: "Cable ties, bag of 500", unitPrice: 1240 },
  { description: "Safety signage kit", unitPrice: 15600 },
  { description: "Delivery and handling", unitPrice: 4500 },
  { description: "Workbench, oak top", unitPrice: 54900 },
];

const taxRateByCountry: Record<string, number> = { US: 825, CA: 1300, GB: 2000, NL: 2100 };

/** How a customer pays: how many days after the due date, and how often not in full or at all. */
type Habit = { name: string; lateDays: [number, number]; partialShare: number; skipShare: number; takesDiscount: boolean };
const habits: Habit[] = [
  { name: "punctual", lateDays: [-8, 0], partialShare: 0, skipShare: 0, takesDiscount: true },
  { name: "punctual", lateDays: [-5, 2], partialShare: 0.02, skipShare: 0, takesDiscount: true },
  { name: "slow", lateDays: [5, 25], partialShare: 0.05, skipShare: 0.03, takesDiscount: false },
  { name: "late", lateDays: [20, 60], partialShare: 0.12, skipShare: 0.08, takesDiscount: false },
  { name: "struggling", lateDays: [45, 100], partialShare: 0.3, skipShare: 0.35, takesDiscount: false },
];

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function hasHistory(db: Db) {
  const [row] = await db.select({ n: count() }).from(invoices);
  return (row?.n ?? 0) > 0;
}

export async function seedHistory(db: Db, { today = todayIn(), invoicesPerCustomer = 38 }: { today?: IsoDate; invoicesPerCustomer?: number } = {}) {
  if (await hasHistory(db)) return { invoices: 0, payments: 0 };
  const random = mulberry32(20261123);
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const staff = await db.select().from(staffUsers).orderBy(asc(staffUsers.email));
  const clerks = staff.filter((s) => s.role === "clerk");
  const admin = staff.find((s) => s.role === "admin");
  const actorOf = (user: (typeof staff)[number] | undefined): Actor => (user ? { type: "staff", id: user.id, label: user.email } : { type: "system", label: "demo data" });
  const all = await db.select().from(customers).orderBy(asc(customers.accountNumber));
  let invoiceCount = 0;
  let paymentCount = 0;
  let key = 0;

  for (const [index, customer] of all.entries()) {
    // The first customer (the demo portal sign-in) pays on time but has a few open invoices.
    const habit = index === 0 ? habits[1]! : habits[Math.floor(random() * habits.length)]!;
    const clerk = actorOf(clerks[index % Math.max(clerks.length, 1)]);
    const taxRate = taxRateByCountry[customer.country ?? "US"] ?? 0;
    const size = customer.segment === "Enterprise" ? 3 : customer.segment === "Mid-market" ? 2 : 1;
    const count = Math.round(invoicesPerCustomer * (0.6 + random() * 0.8));
    // A struggling customer stopped paying some months ago: nothing issued since then is paid.
    const stoppedPayingDaysAgo = habit.name === "struggling" ? between(60, 150) : -1;

    await db.transaction(async (tx) => {
      for (let n = 0; n < count; n++) {
        const issueDate = addDays(today, -Math.floor(((count - n) * 365) / count) + between(0, 6));
        if (issueDate > today) continue;
        const lines = Array.from({ length: between(1, 4) }, () => {
          const item = catalog[Math.floor(random() * catalog.length)]!;
          return { description: item.description, quantityMilli: between(1, 6 * size) * 1000, unitPriceMinor: item.unitPrice, taxRateBps: item.description.startsWith("Delivery") ? 0 : taxRate };
        });
        const invoice = await createIssuedInvoice({ customerId: customer.id, issueDate, lines, poNumber: random() < 0.4 ? `PO-${between(10000, 99999)}` : null, notify: false }, clerk, tx);
        invoiceCount++;

        const dueDate = invoice.dueDate!;
        if (daysBetween(issueDate, today) < stoppedPayingDaysAgo || random() < habit.skipShare) continue;
        const discountTaken = habit.takesDiscount && invoice.discountDueDate !== null && random() < 0.7;
        const paidOn = discountTaken ? addDays(issueDate, between(2, customer.earlyDiscountDays)) : addDays(dueDate, between(habit.lateDays[0], habit.lateDays[1]));
        if (paidOn > today) continue;
        const partial = random() < habit.partialShare;
        const amount = discountTaken
          ? invoice.totalMinor - percentOf(invoice.totalMinor, invoice.earlyDiscountBps)
          : partial
            ? Math.max(100, Math.round(invoice.totalMinor * (0.3 + random() * 0.4)))
            : invoice.totalMinor;
        await recordPayment(
          {
            customerId: customer.id,
            amountMinor: amount,
            method: random() < 0.5 ? "ach" : random() < 0.6 ? "check" : "wire",
            reference: random() < 0.5 ? String(between(1000, 9999)) : `TRX${between(100000, 999999)}`,
            receivedOn: paidOn < issueDate ? issueDate : paidOn,
            idempotencyKey: `demo-${++key}`,
            allocations: [{ invoiceId: invoice.id, amountMinor: Math.min(amount, invoice.openMinor) }],
          },
          clerk,
          tx,
        );
        paymentCount++;
      }
    });

    // A few of the stories a real ledger has.
    if (index === 3 || index === 17) {
      const [first] = await db.select().from(invoices).where(eq(invoices.customerId, customer.id)).orderBy(asc(invoices.issueDate)).limit(1);
      if (first) {
        await issueCreditNote({ customerId: customer.id, invoiceId: first.id, wholeInvoice: true, reason: "Goods returned damaged", idempotencyKey: `demo-credit-${index}` }, clerk, db);
      }
    }
    if (index === 5 || index === 22 || index === 41) {
      await issueCreditNote({ customerId: customer.id, lines: [{ description: "Goodwill credit for a late delivery", amountMinor: 7500 }], reason: "Late delivery", idempotencyKey: `demo-goodwill-${index}` }, clerk, db);
    }
    if (index === 8) {
      const payment = await recordPayment({ customerId: customer.id, amountMinor: 125_000, method: "check", reference: "5521", receivedOn: addDays(today, -20), idempotencyKey: "demo-bounce", allocations: "auto" }, clerk, db);
      await reversePayment({ paymentId: payment.id, reason: "Check returned: insufficient funds", reversedOn: addDays(today, -14) }, clerk, db);
      paymentCount++;
    }
    if (index === 11) {
      await recordPayment({ customerId: customer.id, amountMinor: 250_000, method: "wire", reference: "Overpayment on account", receivedOn: addDays(today, -9), idempotencyKey: "demo-overpay", allocations: "auto" }, clerk, db);
      paymentCount++;
    }
    if (habit.name === "struggling" && admin) {
      const old = await db.select().from(invoices).where(eq(invoices.customerId, customer.id)).orderBy(asc(invoices.issueDate)).limit(2);
      for (const invoice of old.filter((i) => i.status === "open" && i.issueDate! < addDays(today, -200))) {
        await requestWriteOff({ invoiceId: invoice.id, reason: "Uncollectable: customer stopped responding" }, { ...actorOf(admin), type: "staff", id: admin.id, role: "admin" } as never, db);
      }
    }
  }
  return { invoices: invoiceCount, payments: paymentCount };
}
