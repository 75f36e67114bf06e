CREATE TYPE "public"."allocation_kind" AS ENUM('payment', 'credit_note', 'discount', 'write_off');--> statement-breakpoint
CREATE TYPE "public"."approval_status" AS ENUM('pending', 'approved', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."credit_note_kind" AS ENUM('credit_note', 'discount', 'write_off');--> statement-breakpoint
CREATE TYPE "public"."document_source" AS ENUM('settle', 'import', 'api');--> statement-breakpoint
CREATE TYPE "public"."invoice_status" AS ENUM('draft', 'open', 'paid', 'void', 'written_off');--> statement-breakpoint
CREATE TYPE "public"."journal_account" AS ENUM('receivable', 'customer_credit', 'cash', 'revenue', 'tax_payable', 'sales_returns', 'discounts_allowed', 'bad_debt');--> statement-breakpoint
CREATE TYPE "public"."journal_entry_type" AS ENUM('invoice_issued', 'invoice_voided', 'payment_received', 'payment_reversed', 'allocation', 'allocation_reversed', 'credit_note_issued', 'credit_note_voided', 'discount', 'write_off', 'refund');--> statement-breakpoint
CREATE TYPE "public"."payment_method" AS ENUM('check', 'wire', 'ach', 'cash', 'card', 'bank_debit', 'other');--> statement-breakpoint
CREATE TYPE "public"."payment_status" AS ENUM('received', 'reversed');--> statement-breakpoint
CREATE TYPE "public"."refund_status" AS ENUM('pending', 'succeeded', 'failed');--> statement-breakpoint
CREATE TYPE "public"."import_kind" AS ENUM('customers', 'invoices');--> statement-breakpoint
CREATE TYPE "public"."import_status" AS ENUM('validated', 'applying', 'applied', 'failed');--> statement-breakpoint
CREATE TABLE "allocations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"currency" char(3) NOT NULL,
	"invoice_id" uuid NOT NULL,
	"kind" "allocation_kind" NOT NULL,
	"payment_id" uuid,
	"credit_note_id" uuid,
	"amount_minor" bigint NOT NULL,
	"applied_on" date NOT NULL,
	"reverses_id" uuid,
	"source_key" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "allocations_nonzero" CHECK ("allocations"."amount_minor" <> 0),
	CONSTRAINT "allocations_one_source" CHECK (("allocations"."kind" = 'payment') = ("allocations"."payment_id" is not null) and ("allocations"."kind" <> 'payment') = ("allocations"."credit_note_id" is not null)),
	CONSTRAINT "allocations_negative_reverses" CHECK (("allocations"."amount_minor" < 0) = ("allocations"."reverses_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "credit_note_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"credit_note_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"invoice_line_id" uuid,
	"description" text NOT NULL,
	"tax_rate_bps" integer DEFAULT 0 NOT NULL,
	"net_minor" bigint NOT NULL,
	"tax_minor" bigint NOT NULL,
	"total_minor" bigint NOT NULL,
	CONSTRAINT "credit_note_lines_positive" CHECK ("credit_note_lines"."total_minor" > 0 and "credit_note_lines"."total_minor" = "credit_note_lines"."net_minor" + "credit_note_lines"."tax_minor")
);
--> statement-breakpoint
CREATE TABLE "credit_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"kind" "credit_note_kind" DEFAULT 'credit_note' NOT NULL,
	"number" text NOT NULL,
	"invoice_id" uuid,
	"currency" char(3) NOT NULL,
	"issue_date" date NOT NULL,
	"reason" text NOT NULL,
	"memo" text,
	"subtotal_minor" bigint NOT NULL,
	"tax_minor" bigint NOT NULL,
	"total_minor" bigint NOT NULL,
	"allocated_minor" bigint DEFAULT 0 NOT NULL,
	"refunded_minor" bigint DEFAULT 0 NOT NULL,
	"source_key" text NOT NULL,
	"public_token" text NOT NULL,
	"voided_at" timestamp with time zone,
	"void_reason" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_notes_id_customer_currency_key" UNIQUE("id","customer_id","currency"),
	CONSTRAINT "credit_notes_amount_positive" CHECK ("credit_notes"."total_minor" > 0 and "credit_notes"."total_minor" = "credit_notes"."subtotal_minor" + "credit_notes"."tax_minor"),
	CONSTRAINT "credit_notes_not_overapplied" CHECK ("credit_notes"."allocated_minor" >= 0 and "credit_notes"."refunded_minor" >= 0 and "credit_notes"."allocated_minor" + "credit_notes"."refunded_minor" <= "credit_notes"."total_minor"),
	CONSTRAINT "credit_notes_void_is_empty" CHECK ("credit_notes"."voided_at" is null or ("credit_notes"."allocated_minor" = 0 and "credit_notes"."refunded_minor" = 0))
);
--> statement-breakpoint
CREATE TABLE "customer_balances" (
	"customer_id" uuid PRIMARY KEY NOT NULL,
	"currency" char(3) NOT NULL,
	"receivable_minor" bigint DEFAULT 0 NOT NULL,
	"unapplied_minor" bigint DEFAULT 0 NOT NULL,
	"balance_minor" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "customer_balances_sum" CHECK ("customer_balances"."balance_minor" = "customer_balances"."receivable_minor" - "customer_balances"."unapplied_minor")
);
--> statement-breakpoint
CREATE TABLE "invoice_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"invoice_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"description" text NOT NULL,
	"quantity_milli" bigint NOT NULL,
	"unit_price_minor" bigint NOT NULL,
	"tax_rate_bps" integer DEFAULT 0 NOT NULL,
	"net_minor" bigint NOT NULL,
	"tax_minor" bigint NOT NULL,
	"total_minor" bigint NOT NULL,
	CONSTRAINT "invoice_lines_quantity_positive" CHECK ("invoice_lines"."quantity_milli" > 0),
	CONSTRAINT "invoice_lines_tax_range" CHECK ("invoice_lines"."tax_rate_bps" between 0 and 10000),
	CONSTRAINT "invoice_lines_total_is_sum" CHECK ("invoice_lines"."total_minor" = "invoice_lines"."net_minor" + "invoice_lines"."tax_minor")
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"number" text,
	"status" "invoice_status" DEFAULT 'draft' NOT NULL,
	"source" "document_source" DEFAULT 'settle' NOT NULL,
	"currency" char(3) NOT NULL,
	"issue_date" date,
	"due_date" date,
	"payment_terms_days" integer NOT NULL,
	"early_discount_bps" integer DEFAULT 0 NOT NULL,
	"early_discount_days" integer DEFAULT 0 NOT NULL,
	"discount_due_date" date,
	"po_number" text,
	"memo" text,
	"subtotal_minor" bigint DEFAULT 0 NOT NULL,
	"tax_minor" bigint DEFAULT 0 NOT NULL,
	"total_minor" bigint DEFAULT 0 NOT NULL,
	"paid_minor" bigint DEFAULT 0 NOT NULL,
	"credited_minor" bigint DEFAULT 0 NOT NULL,
	"discounted_minor" bigint DEFAULT 0 NOT NULL,
	"written_off_minor" bigint DEFAULT 0 NOT NULL,
	"open_minor" bigint GENERATED ALWAYS AS (total_minor - paid_minor - credited_minor - discounted_minor - written_off_minor) STORED NOT NULL,
	"external_ref" text,
	"public_token" text NOT NULL,
	"issued_at" timestamp with time zone,
	"voided_at" timestamp with time zone,
	"void_reason" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "invoices_id_customer_currency_key" UNIQUE("id","customer_id","currency"),
	CONSTRAINT "invoices_currency_upper" CHECK ("invoices"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "invoices_amounts_nonnegative" CHECK ("invoices"."subtotal_minor" >= 0 and "invoices"."total_minor" >= 0 and "invoices"."paid_minor" >= 0 and "invoices"."credited_minor" >= 0 and "invoices"."discounted_minor" >= 0 and "invoices"."written_off_minor" >= 0),
	CONSTRAINT "invoices_total_is_sum" CHECK ("invoices"."total_minor" = "invoices"."subtotal_minor" + "invoices"."tax_minor"),
	CONSTRAINT "invoices_not_overapplied" CHECK ("invoices"."total_minor" - "invoices"."paid_minor" - "invoices"."credited_minor" - "invoices"."discounted_minor" - "invoices"."written_off_minor" >= 0),
	CONSTRAINT "invoices_issued_has_number" CHECK ("invoices"."status" = 'draft' or ("invoices"."number" is not null and "invoices"."issue_date" is not null and "invoices"."due_date" is not null)),
	CONSTRAINT "invoices_due_after_issue" CHECK ("invoices"."due_date" is null or "invoices"."issue_date" is null or "invoices"."due_date" >= "invoices"."issue_date"),
	CONSTRAINT "invoices_terms_range" CHECK ("invoices"."payment_terms_days" >= 0 and "invoices"."early_discount_days" >= 0 and "invoices"."early_discount_bps" between 0 and 10000)
);
--> statement-breakpoint
CREATE TABLE "journal_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"source_key" text NOT NULL,
	"type" "journal_entry_type" NOT NULL,
	"customer_id" uuid NOT NULL,
	"currency" char(3) NOT NULL,
	"effective_date" date NOT NULL,
	"description" text NOT NULL,
	"invoice_id" uuid,
	"payment_id" uuid,
	"credit_note_id" uuid,
	"refund_id" uuid,
	"allocation_id" uuid,
	"actor_type" "actor_type" NOT NULL,
	"actor_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journal_lines" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"entry_id" bigint NOT NULL,
	"customer_id" uuid NOT NULL,
	"currency" char(3) NOT NULL,
	"account" "journal_account" NOT NULL,
	"invoice_id" uuid,
	"amount_minor" bigint NOT NULL,
	"effective_date" date NOT NULL,
	CONSTRAINT "journal_lines_receivable_has_invoice" CHECK (("journal_lines"."account" = 'receivable') = ("journal_lines"."invoice_id" is not null)),
	CONSTRAINT "journal_lines_nonzero" CHECK ("journal_lines"."amount_minor" <> 0)
);
--> statement-breakpoint
CREATE TABLE "number_series" (
	"key" text PRIMARY KEY NOT NULL,
	"prefix" text NOT NULL,
	"next_value" bigint DEFAULT 1 NOT NULL,
	"padding" integer DEFAULT 6 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"currency" char(3) NOT NULL,
	"amount_minor" bigint NOT NULL,
	"method" "payment_method" NOT NULL,
	"reference" text,
	"received_on" date NOT NULL,
	"status" "payment_status" DEFAULT 'received' NOT NULL,
	"allocated_minor" bigint DEFAULT 0 NOT NULL,
	"refunded_minor" bigint DEFAULT 0 NOT NULL,
	"memo" text,
	"source" "document_source" DEFAULT 'settle' NOT NULL,
	"source_key" text NOT NULL,
	"external_ref" text,
	"reversed_at" timestamp with time zone,
	"reversal_reason" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_id_customer_currency_key" UNIQUE("id","customer_id","currency"),
	CONSTRAINT "payments_currency_upper" CHECK ("payments"."currency" ~ '^[A-Z]{3}$'),
	CONSTRAINT "payments_amount_positive" CHECK ("payments"."amount_minor" > 0),
	CONSTRAINT "payments_not_overallocated" CHECK ("payments"."allocated_minor" >= 0 and "payments"."refunded_minor" >= 0 and "payments"."allocated_minor" + "payments"."refunded_minor" <= "payments"."amount_minor"),
	CONSTRAINT "payments_reversed_is_empty" CHECK ("payments"."status" = 'received' or ("payments"."allocated_minor" = 0 and "payments"."refunded_minor" = 0))
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"currency" char(3) NOT NULL,
	"payment_id" uuid,
	"credit_note_id" uuid,
	"amount_minor" bigint NOT NULL,
	"method" "payment_method" NOT NULL,
	"reference" text,
	"refunded_on" date NOT NULL,
	"status" "refund_status" DEFAULT 'succeeded' NOT NULL,
	"reason" text NOT NULL,
	"source_key" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "refunds_amount_positive" CHECK ("refunds"."amount_minor" > 0),
	CONSTRAINT "refunds_one_source" CHECK (("refunds"."payment_id" is null) <> ("refunds"."credit_note_id" is null))
);
--> statement-breakpoint
CREATE TABLE "write_off_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"invoice_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"currency" char(3) NOT NULL,
	"amount_minor" bigint NOT NULL,
	"reason" text NOT NULL,
	"status" "approval_status" DEFAULT 'pending' NOT NULL,
	"requested_by" uuid,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"credit_note_id" uuid,
	CONSTRAINT "write_off_requests_amount_positive" CHECK ("write_off_requests"."amount_minor" > 0)
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"revoked_by" uuid
);
--> statement-breakpoint
CREATE TABLE "import_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "import_kind" NOT NULL,
	"filename" text NOT NULL,
	"content" text NOT NULL,
	"status" "import_status" DEFAULT 'validated' NOT NULL,
	"total_rows" integer DEFAULT 0 NOT NULL,
	"valid_rows" integer DEFAULT 0 NOT NULL,
	"processed_rows" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"summary" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"failure" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_created_by_staff_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_invoice_fk" FOREIGN KEY ("invoice_id","customer_id","currency") REFERENCES "public"."invoices"("id","customer_id","currency") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_payment_fk" FOREIGN KEY ("payment_id","customer_id","currency") REFERENCES "public"."payments"("id","customer_id","currency") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_credit_note_fk" FOREIGN KEY ("credit_note_id","customer_id","currency") REFERENCES "public"."credit_notes"("id","customer_id","currency") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "allocations" ADD CONSTRAINT "allocations_reverses_fk" FOREIGN KEY ("reverses_id") REFERENCES "public"."allocations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_note_lines" ADD CONSTRAINT "credit_note_lines_credit_note_id_credit_notes_id_fk" FOREIGN KEY ("credit_note_id") REFERENCES "public"."credit_notes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_note_lines" ADD CONSTRAINT "credit_note_lines_invoice_line_id_invoice_lines_id_fk" FOREIGN KEY ("invoice_line_id") REFERENCES "public"."invoice_lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_notes" ADD CONSTRAINT "credit_notes_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_notes" ADD CONSTRAINT "credit_notes_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_notes" ADD CONSTRAINT "credit_notes_created_by_staff_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_balances" ADD CONSTRAINT "customer_balances_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_created_by_staff_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_entries" ADD CONSTRAINT "journal_entries_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_lines" ADD CONSTRAINT "journal_lines_entry_id_journal_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."journal_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_created_by_staff_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_created_by_staff_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_payment_fk" FOREIGN KEY ("payment_id","customer_id","currency") REFERENCES "public"."payments"("id","customer_id","currency") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "refunds" ADD CONSTRAINT "refunds_credit_note_fk" FOREIGN KEY ("credit_note_id","customer_id","currency") REFERENCES "public"."credit_notes"("id","customer_id","currency") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "write_off_requests" ADD CONSTRAINT "write_off_requests_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "write_off_requests" ADD CONSTRAINT "write_off_requests_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "write_off_requests" ADD CONSTRAINT "write_off_requests_requested_by_staff_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "write_off_requests" ADD CONSTRAINT "write_off_requests_decided_by_staff_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "write_off_requests" ADD CONSTRAINT "write_off_requests_credit_note_id_credit_notes_id_fk" FOREIGN KEY ("credit_note_id") REFERENCES "public"."credit_notes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_staff_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_revoked_by_staff_users_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_runs" ADD CONSTRAINT "import_runs_created_by_staff_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "allocations_source_key" ON "allocations" USING btree ("source_key");--> statement-breakpoint
CREATE UNIQUE INDEX "allocations_reverses_key" ON "allocations" USING btree ("reverses_id");--> statement-breakpoint
CREATE INDEX "allocations_invoice_idx" ON "allocations" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "allocations_payment_idx" ON "allocations" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "allocations_credit_note_idx" ON "allocations" USING btree ("credit_note_id");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_note_lines_position_key" ON "credit_note_lines" USING btree ("credit_note_id","position");--> statement-breakpoint
CREATE INDEX "credit_note_lines_invoice_line_idx" ON "credit_note_lines" USING btree ("invoice_line_id");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_notes_number_key" ON "credit_notes" USING btree ("number");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_notes_source_key" ON "credit_notes" USING btree ("source_key");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_notes_public_token_key" ON "credit_notes" USING btree ("public_token");--> statement-breakpoint
CREATE INDEX "credit_notes_customer_idx" ON "credit_notes" USING btree ("customer_id","issue_date");--> statement-breakpoint
CREATE INDEX "credit_notes_invoice_idx" ON "credit_notes" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "customer_balances_balance_idx" ON "customer_balances" USING btree ("balance_minor");--> statement-breakpoint
CREATE UNIQUE INDEX "invoice_lines_position_key" ON "invoice_lines" USING btree ("invoice_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_number_key" ON "invoices" USING btree ("number");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_external_ref_key" ON "invoices" USING btree ("external_ref");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_public_token_key" ON "invoices" USING btree ("public_token");--> statement-breakpoint
CREATE INDEX "invoices_customer_idx" ON "invoices" USING btree ("customer_id","issue_date");--> statement-breakpoint
CREATE INDEX "invoices_open_due_idx" ON "invoices" USING btree ("due_date") WHERE "invoices"."status" = 'open';--> statement-breakpoint
CREATE INDEX "invoices_customer_open_idx" ON "invoices" USING btree ("customer_id","due_date") WHERE "invoices"."status" = 'open';--> statement-breakpoint
CREATE INDEX "invoices_status_issue_idx" ON "invoices" USING btree ("status","issue_date");--> statement-breakpoint
CREATE INDEX "invoices_issue_date_idx" ON "invoices" USING btree ("issue_date","id");--> statement-breakpoint
CREATE UNIQUE INDEX "journal_entries_source_key" ON "journal_entries" USING btree ("source_key");--> statement-breakpoint
CREATE INDEX "journal_entries_customer_idx" ON "journal_entries" USING btree ("customer_id","effective_date","id");--> statement-breakpoint
CREATE INDEX "journal_entries_effective_idx" ON "journal_entries" USING btree ("effective_date","id");--> statement-breakpoint
CREATE INDEX "journal_entries_invoice_idx" ON "journal_entries" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "journal_lines_entry_idx" ON "journal_lines" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "journal_lines_customer_idx" ON "journal_lines" USING btree ("customer_id","effective_date");--> statement-breakpoint
CREATE INDEX "journal_lines_invoice_idx" ON "journal_lines" USING btree ("invoice_id","effective_date") WHERE "journal_lines"."invoice_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "payments_source_key" ON "payments" USING btree ("source_key");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_external_ref_key" ON "payments" USING btree ("external_ref");--> statement-breakpoint
CREATE INDEX "payments_customer_idx" ON "payments" USING btree ("customer_id","received_on");--> statement-breakpoint
CREATE INDEX "payments_received_on_idx" ON "payments" USING btree ("received_on","id");--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_source_key" ON "refunds" USING btree ("source_key");--> statement-breakpoint
CREATE INDEX "refunds_payment_idx" ON "refunds" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "refunds_customer_idx" ON "refunds" USING btree ("customer_id","refunded_on");--> statement-breakpoint
CREATE INDEX "write_off_requests_status_idx" ON "write_off_requests" USING btree ("status","requested_at");--> statement-breakpoint
CREATE UNIQUE INDEX "write_off_requests_one_pending" ON "write_off_requests" USING btree ("invoice_id") WHERE "write_off_requests"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_token_hash_key" ON "api_keys" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "import_runs_created_idx" ON "import_runs" USING btree ("created_at");