import { z } from "zod";
import { staffUsers } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";
import { DomainError } from "~/utils/errors";
import { emailSchema, newPasswordSchema } from "~/utils/validation";
import { passwords } from "./crypto.server";

export const newStaffUserSchema = z.object({
  email: emailSchema,
  name: z.string({ message: "Name is required" }).trim().min(1, "Name is required").max(120, "Name must be at most 120 characters"),
  role: z.enum(["admin", "clerk", "viewer"], { message: "Role must be admin, clerk or viewer" }),
  password: newPasswordSchema,
});
export type NewStaffUser = z.infer<typeof newStaffUserSchema>;

/** Adds a staff user; refuses an email that is taken (in any letter case). */
export async function createStaffUser(input: NewStaffUser, actor: Actor, db: Db = getDb()) {
  const { email, name, role, password } = newStaffUserSchema.parse(input);
  const passwordHash = await passwords.hash(password);
  return db.transaction(async (tx) => {
    const [user] = await tx.insert(staffUsers).values({ email, name, role, passwordHash }).onConflictDoNothing().returning();
    if (!user) throw new DomainError("conflict", `A staff user with the email ${email} already exists`, "email");
    await recordAudit({ actor, action: "staff_user.created", entityType: "staff_user", entityId: user.id, after: { email, name, role } }, tx);
    return user;
  });
}
