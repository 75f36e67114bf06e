import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  char,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { staffUsers } from "./staff";

export const customerStatus = pgEnum("customer_status", ["active", "inactive"]);
export const portalRole = pgEnum("portal_role", ["billing", "viewer"]);

export const customers = pgTable(
  "customers",
  {
    id: uuid().primaryKey().defaultRandom(),
    accountNumber: text().notNull(),
    name: text().notNull(),
    legalName: text(),
    email: text(),
    phone: text(),
    addressLine1: text(),
    addressLine2: text(),
    city: text(),
    region: text(),
    postalCode: text(),
    country: char({ length: 2 }),
    currency: char({ length: 3 }).notNull(),
    // Net N days; early-payment discount as basis points within D days (2/10 net 30 = 200 bps, 10 days, net 30).
    paymentTermsDays: integer().notNull().default(30),
    earlyDiscountBps: integer().notNull().default(0),
    earlyDiscountDays: integer().notNull().default(0),
    // Money: integer minor units of `currency` (ADR 003).
    creditLimitMinor: bigint({ mode: "number" }),
    creditHold: boolean().notNull().default(false),
    taxId: text(),
    externalRef: text(),
    segment: text(),
    timeZone: text().notNull().default("UTC"),
    collectorId: uuid().references(() => staffUsers.id, { onDelete: "set null" }),
    stripeCustomerId: text(),
    status: customerStatus().notNull().default("active"),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("customers_account_number_key").on(t.accountNumber),
    uniqueIndex("customers_external_ref_key").on(t.externalRef),
    uniqueIndex("customers_stripe_customer_id_key").on(t.stripeCustomerId),
    index("customers_name_idx").on(sql`lower(${t.name})`),
    index("customers_collector_idx").on(t.collectorId),
    check("customers_currency_upper", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("customers_terms_nonnegative", sql`${t.paymentTermsDays} >= 0 and ${t.earlyDiscountDays} >= 0`),
    check("customers_discount_range", sql`${t.earlyDiscountBps} between 0 and 10000`),
    check("customers_credit_limit_nonnegative", sql`${t.creditLimitMinor} is null or ${t.creditLimitMinor} >= 0`),
  ],
);

/** A contact of a customer who may sign in to the portal. One email belongs to one customer (ADR 004). */
export const portalUsers = pgTable(
  "portal_users",
  {
    id: uuid().primaryKey().defaultRandom(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id, { onDelete: "cascade" }),
    email: text().notNull(),
    name: text().notNull(),
    role: portalRole().notNull().default("billing"),
    // Optional: a customer may always sign in by emailed link.
    passwordHash: text(),
    // Which of the customer's emails this contact also receives (the billing address always does).
    emailInvoices: boolean().notNull().default(false),
    emailReceipts: boolean().notNull().default(false),
    emailReminders: boolean().notNull().default(false),
    invitedAt: timestamp({ withTimezone: true }),
    lastSignInAt: timestamp({ withTimezone: true }),
    disabledAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("portal_users_email_key").on(sql`lower(${t.email})`),
    index("portal_users_customer_idx").on(t.customerId),
  ],
);

export type Customer = typeof customers.$inferSelect;
export type PortalUser = typeof portalUsers.$inferSelect;
