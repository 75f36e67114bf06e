// npm run staff:create -- --email ana@example.com --name "Ana Ruiz" --role admin
// Creates a staff user (the first admin of a real installation) and prints a generated password.
import { parseArgs } from "node:util";
import { generateToken } from "~/auth/crypto.server";
import { createStaffUser, newStaffUserSchema } from "~/auth/staff-users.server";
import { DomainError } from "~/utils/errors";
import { openConnection } from "../connection.server";
import { migrate } from "../migrate";

const { values } = parseArgs({ options: { email: { type: "string" }, name: { type: "string" }, role: { type: "string" } } });
const password = generateToken();
const parsed = newStaffUserSchema.safeParse({ ...values, password });
if (!parsed.success) {
  console.error(`Cannot create the staff user:\n${parsed.error.issues.map((i) => `  --${String(i.path[0])}: ${i.message}`).join("\n")}`);
  console.error('Usage: npm run staff:create -- --email ana@example.com --name "Ana Ruiz" --role admin|clerk|viewer');
  process.exit(1);
}

const connection = openConnection();
try {
  await migrate(connection);
  const user = await createStaffUser(parsed.data, { type: "system", label: "cli" });
  console.log(`Created ${user.role} ${user.email}. Password (shown once, change it after signing in): ${password}`);
} catch (error) {
  if (error instanceof DomainError) {
    console.error(`Cannot create the staff user: ${error.message}`);
    process.exitCode = 1;
  } else throw error;
} finally {
  await connection.close();
}
