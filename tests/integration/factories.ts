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
