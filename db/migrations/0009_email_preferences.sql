ALTER TABLE "portal_users" ADD COLUMN "email_invoices" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "portal_users" ADD COLUMN "email_receipts" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "portal_users" ADD COLUMN "email_reminders" boolean DEFAULT false NOT NULL;