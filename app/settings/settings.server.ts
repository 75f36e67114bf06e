import { eq } from "drizzle-orm";
import { z } from "zod";
import { settings } from "~db/schema";
import { getDb, type Db } from "~db/client";
import { recordAudit, type Actor } from "~/audit/audit.server";

export const companySettingsSchema = z.object({
  companyName: z.string().trim().min(1, "Company name is required").max(120, "Company name must be at most 120 characters"),
  supportEmail: z.email({ message: "Support email must be an email address" }).nullable(),
  brandColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, "Brand colour must be a hex colour like #1f5fbf"),
  logoUrl: z.url({ message: "Logo URL must be a URL" }).nullable(),
});
export type CompanySettings = z.infer<typeof companySettingsSchema>;

export const ledgerSettingsSchema = z.object({
  // Whole units of the invoice's currency (500 means $500.00 or ¥500); above it a write-off waits for an admin.
  writeOffApprovalAbove: z.coerce
    .number({ message: "Write-off approval threshold must be a number" })
    .int("Write-off approval threshold must be a whole number")
    .min(0, "Write-off approval threshold cannot be negative")
    .max(1_000_000_000, "Write-off approval threshold is too large"),
});
export type LedgerSettings = z.infer<typeof ledgerSettingsSchema>;

const wholeUnits = (label: string) =>
  z.coerce.number({ message: `${label} must be a number` }).int(`${label} must be a whole number`).min(0, `${label} cannot be negative`).max(1_000_000_000, `${label} is too large`);
const count = (label: string, min: number, max: number) =>
  z.coerce.number({ message: `${label} must be a number` }).int(`${label} must be a whole number`).min(min, `${label} must be at least ${min}`).max(max, `${label} must be at most ${max}`);

/** What customers may do in the portal by themselves; amounts in whole units of the invoice's currency. */
export const portalSettingsSchema = z.object({
  partialPaymentMinimum: wholeUnits("Smallest part payment"),
  planMaxInstalments: count("Most instalments", 2, 60),
  planMaxMonths: count("Longest plan in months", 1, 60),
  planMinFirstPercent: count("Smallest first instalment (percent)", 0, 100),
  planMaxTotal: wholeUnits("Largest plan total"),
  planMaxFailures: count("Failed charges before a plan defaults", 1, 10),
  planRetryDays: count("Days between retries", 1, 30),
});
export type PortalSettings = z.infer<typeof portalSettingsSchema>;

/** How sure a bank match must be to apply itself, and who pays a lost card dispute's fee. */
export const reconciliationSettingsSchema = z.object({
  autoApplyConfidence: count("Confidence to apply a bank match automatically", 50, 100),
  chargebackFeeToCustomer: z.boolean({ message: "Chargeback fee to customer must be yes or no" }),
});
export type ReconciliationSettings = z.infer<typeof reconciliationSettingsSchema>;

type Settings = { company: CompanySettings; ledger: LedgerSettings; portal: PortalSettings; reconciliation: ReconciliationSettings };
type SettingKey = keyof Settings;

const definitions: { [K in SettingKey]: { schema: z.ZodType<Settings[K]>; defaults: Settings[K] } } = {
  company: {
    schema: companySettingsSchema,
    defaults: { companyName: "Settle Demo Co.", supportEmail: null, brandColor: "#1f5fbf", logoUrl: null },
  },
  ledger: {
    schema: ledgerSettingsSchema,
    defaults: { writeOffApprovalAbove: 500 },
  },
  portal: {
    schema: portalSettingsSchema,
    defaults: { partialPaymentMinimum: 10, planMaxInstalments: 6, planMaxMonths: 6, planMinFirstPercent: 10, planMaxTotal: 25_000, planMaxFailures: 3, planRetryDays: 3 },
  },
  reconciliation: {
    schema: reconciliationSettingsSchema,
    defaults: { autoApplyConfidence: 90, chargebackFeeToCustomer: true },
  },
};

export async function getSetting<K extends SettingKey>(key: K, db: Db = getDb()): Promise<Settings[K]> {
  const { schema, defaults } = definitions[key];
  const [row] = await db.select().from(settings).where(eq(settings.key, key));
  if (!row) return defaults;
  // A stored value that no longer fits (an old shape) falls back to the defaults field by field.
  const parsed = schema.safeParse({ ...defaults, ...(row.value as object) });
  return parsed.success ? parsed.data : defaults;
}

export async function updateSetting<K extends SettingKey>(
  key: K,
  value: Settings[K],
  actor: Extract<Actor, { type: "staff" }>,
  db: Db = getDb(),
) {
  const next = definitions[key].schema.parse(value);
  await db.transaction(async (tx) => {
    const before = await getSetting(key, tx);
    await tx
      .insert(settings)
      .values({ key, value: next, updatedBy: actor.id })
      .onConflictDoUpdate({ target: settings.key, set: { value: next, updatedBy: actor.id, updatedAt: new Date() } });
    await recordAudit({ actor, action: "settings.update", entityType: "setting", entityId: key, before, after: next }, tx);
  });
}

export const getCompanySettings = (db?: Db) => getSetting("company", db);
export const getLedgerSettings = (db?: Db) => getSetting("ledger", db);
export const getPortalSettings = (db?: Db) => getSetting("portal", db);
export const getReconciliationSettings = (db?: Db) => getSetting("reconciliation", db);
