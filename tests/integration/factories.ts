import { customers, portalUsers, staffUsers, type StaffRole } from "~db/schema";
import { getDb } from "~db/client";
import { passwords } from "~/auth/crypto.server";

let counter = 0;
const next = () => ++counter;

// One hash for every test user: argon2 is deliberately slow.
let cachedHash: Promise<string> | undefined;
export const TEST_PASSWORD = "correct horse battery staple";
const testHash = () => (cachedHash ??= passwords.hash(TEST_PASSWORD));

export async function createStaff({ role = "clerk" as StaffRole, email }: { role?: StaffRole; email?: string } = {}) {
  const n = next();
  const [user] = await getDb()
    .insert(staffUsers)
    .values({ email: email ?? `staff${n}@test.example`, name: `Staff ${n}`, role, passwordHash: await testHash() })
    .returning();
  return user!;
}

export async function createCustomer(overrides: Partial<typeof customers.$inferInsert> = {}) {
  const n = next();
  const [customer] = await getDb()
    .insert(customers)
    .values({ accountNumber: `T-${1000 + n}`, name: `Test Customer ${n}`, currency: "USD", ...overrides })
    .returning();
  return customer!;
}

export async function createContact({ customerId, email, withPassword = false }: { customerId: string; email?: string; withPassword?: boolean }) {
  const n = next();
  const [contact] = await getDb()
    .insert(portalUsers)
    .values({ customerId, email: email ?? `contact${n}@customer.example`, name: `Contact ${n}`, passwordHash: withPassword ? await testHash() : null })
    .returning();
  return contact!;
}

export const staffActor = (user: { id: string; email: string }) => ({ type: "staff" as const, id: user.id, label: user.email });

/** An issued invoice of one line per amount (no tax), for tests that need open receivables. */
export async function issuedInvoice(
  { customerId, amounts, issueDate, dueDate }: { customerId: string; amounts: number[]; issueDate?: string; dueDate?: string },
  actor: { type: "staff"; id: string; label: string } | { type: "system"; label: string } = { type: "system", label: "test" },
) {
  const { createIssuedInvoice } = await import("~/ledger/invoices.server");
  return createIssuedInvoice(
    {
      customerId,
      issueDate,
      dueDate,
      lines: amounts.map((amount, i) => ({ description: `Item ${i + 1}`, quantityMilli: 1000, unitPriceMinor: amount, taxRateBps: 0 })),
    },
    actor,
  );
}
