CREATE TYPE "public"."bank_line_status" AS ENUM('applied', 'suggested', 'unmatched', 'payout', 'ignored');--> statement-breakpoint
CREATE TYPE "public"."chargeback_status" AS ENUM('open', 'won', 'lost');--> statement-breakpoint
CREATE TYPE "public"."reconciliation_exception_kind" AS ENUM('unmatched_payment', 'amount_mismatch', 'unknown_customer', 'overpayment', 'invoice_not_open', 'unknown_refund', 'unknown_chargeback', 'payout_mismatch', 'bank_suggestion', 'bank_unmatched');--> statement-breakpoint
CREATE TYPE "public"."reconciliation_exception_resolution" AS ENUM('applied', 'credit', 'refunded', 'dismissed');--> statement-breakpoint
CREATE TYPE "public"."reconciliation_exception_status" AS ENUM('open', 'resolved');--> statement-breakpoint
CREATE TYPE "public"."payout_reconciliation" AS ENUM('pending', 'balanced', 'mismatch');--> statement-breakpoint
CREATE TYPE "public"."payout_status" AS ENUM('pending', 'in_transit', 'paid', 'failed', 'canceled');--> statement-breakpoint
ALTER TYPE "public"."journal_entry_type" ADD VALUE 'refund_failed';--> statement-breakpoint
ALTER TYPE "public"."journal_entry_type" ADD VALUE 'chargeback';--> statement-breakpoint
ALTER TYPE "public"."journal_entry_type" ADD VALUE 'chargeback_reversed';--> statement-breakpoint
CREATE TABLE "bank_csv_mappings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"mapping" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bank_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"statement_id" uuid NOT NULL,
	"account_id" text NOT NULL,
	"entry_ref" text NOT NULL,
	"booking_date" date NOT NULL,
	"value_date" date,
	"amount_minor" bigint NOT NULL,
	"currency" char(3) NOT NULL,
	"direction" text NOT NULL,
	"payer_name" text,
	"payer_account" text,
	"remittance" text NOT NULL,
	"bank_reference" text,
	"status" "bank_line_status" NOT NULL,
	"confidence" integer DEFAULT 0 NOT NULL,
	"reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"customer_id" uuid,
	"payment_id" uuid,
	"payout_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bank_lines_amount_positive" CHECK ("bank_lines"."amount_minor" > 0)
);
--> statement-breakpoint
CREATE TABLE "bank_statements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"file_name" text NOT NULL,
	"format" text NOT NULL,
	"file_sha256" text NOT NULL,
	"account_id" text NOT NULL,
	"statement_ref" text,
	"currency" char(3),
	"opening_balance_minor" bigint,
	"closing_balance_minor" bigint,
	"line_count" integer DEFAULT 0 NOT NULL,
	"new_line_count" integer DEFAULT 0 NOT NULL,
	"imported_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chargebacks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"processor_dispute_id" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"currency" char(3) NOT NULL,
	"payment_id" uuid NOT NULL,
	"amount_minor" bigint NOT NULL,
	"fee_minor" bigint DEFAULT 0 NOT NULL,
	"reason" text,
	"status" chargeback_status DEFAULT 'open' NOT NULL,
	"withdrawn_on" date,
	"reinstated_on" date,
	"fee_invoice_id" uuid,
	"reopened" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chargebacks_amount_positive" CHECK ("chargebacks"."amount_minor" > 0 and "chargebacks"."fee_minor" >= 0)
);
--> statement-breakpoint
CREATE TABLE "payout_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"payout_id" uuid NOT NULL,
	"balance_transaction_id" text NOT NULL,
	"type" text NOT NULL,
	"reporting_category" text NOT NULL,
	"source_id" text,
	"gross_minor" bigint NOT NULL,
	"fee_minor" bigint NOT NULL,
	"net_minor" bigint NOT NULL,
	"payment_id" uuid,
	"refund_id" uuid,
	"chargeback_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payouts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"processor" text DEFAULT 'stripe' NOT NULL,
	"processor_payout_id" text NOT NULL,
	"currency" char(3) NOT NULL,
	"amount_minor" bigint NOT NULL,
	"status" "payout_status" NOT NULL,
	"arrival_date" date NOT NULL,
	"failure_message" text,
	"payments_minor" bigint DEFAULT 0 NOT NULL,
	"refunds_minor" bigint DEFAULT 0 NOT NULL,
	"fees_minor" bigint DEFAULT 0 NOT NULL,
	"chargebacks_minor" bigint DEFAULT 0 NOT NULL,
	"other_minor" bigint DEFAULT 0 NOT NULL,
	"item_count" integer DEFAULT 0 NOT NULL,
	"reconciliation" "payout_reconciliation" DEFAULT 'pending' NOT NULL,
	"bank_line_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reconciliation_exceptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "reconciliation_exception_kind" NOT NULL,
	"status" "reconciliation_exception_status" DEFAULT 'open' NOT NULL,
	"source_key" text NOT NULL,
	"currency" char(3) NOT NULL,
	"amount_minor" bigint NOT NULL,
	"reason" text NOT NULL,
	"customer_id" uuid,
	"payment_id" uuid,
	"payout_id" uuid,
	"bank_line_id" uuid,
	"processor_object_id" text,
	"event_id" text,
	"occurred_on" date NOT NULL,
	"suggestion" jsonb,
	"resolution" "reconciliation_exception_resolution",
	"resolution_note" text,
	"resolved_by" uuid,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reconciliation_exceptions_resolved" CHECK (("reconciliation_exceptions"."status" = 'resolved') = ("reconciliation_exceptions"."resolution" is not null))
);
--> statement-breakpoint
ALTER TABLE "payments" DROP CONSTRAINT "payments_not_overallocated";--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "charged_back_minor" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "processor_fee_minor" bigint;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "payout_id" uuid;--> statement-breakpoint
ALTER TABLE "bank_lines" ADD CONSTRAINT "bank_lines_statement_id_bank_statements_id_fk" FOREIGN KEY ("statement_id") REFERENCES "public"."bank_statements"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_lines" ADD CONSTRAINT "bank_lines_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_lines" ADD CONSTRAINT "bank_lines_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_lines" ADD CONSTRAINT "bank_lines_payout_id_payouts_id_fk" FOREIGN KEY ("payout_id") REFERENCES "public"."payouts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bank_statements" ADD CONSTRAINT "bank_statements_imported_by_staff_users_id_fk" FOREIGN KEY ("imported_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chargebacks" ADD CONSTRAINT "chargebacks_payment_fk" FOREIGN KEY ("payment_id","customer_id","currency") REFERENCES "public"."payments"("id","customer_id","currency") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_items" ADD CONSTRAINT "payout_items_payout_id_payouts_id_fk" FOREIGN KEY ("payout_id") REFERENCES "public"."payouts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_exceptions" ADD CONSTRAINT "reconciliation_exceptions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_exceptions" ADD CONSTRAINT "reconciliation_exceptions_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_exceptions" ADD CONSTRAINT "reconciliation_exceptions_payout_id_payouts_id_fk" FOREIGN KEY ("payout_id") REFERENCES "public"."payouts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconciliation_exceptions" ADD CONSTRAINT "reconciliation_exceptions_resolved_by_staff_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bank_csv_mappings_name_key" ON "bank_csv_mappings" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "bank_lines_entry_key" ON "bank_lines" USING btree ("account_id","entry_ref");--> statement-breakpoint
CREATE INDEX "bank_lines_statement_idx" ON "bank_lines" USING btree ("statement_id");--> statement-breakpoint
CREATE INDEX "bank_lines_booking_idx" ON "bank_lines" USING btree ("booking_date");--> statement-breakpoint
CREATE INDEX "bank_statements_created_idx" ON "bank_statements" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "chargebacks_dispute_key" ON "chargebacks" USING btree ("processor_dispute_id");--> statement-breakpoint
CREATE INDEX "chargebacks_payment_idx" ON "chargebacks" USING btree ("payment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payout_items_txn_key" ON "payout_items" USING btree ("payout_id","balance_transaction_id");--> statement-breakpoint
CREATE INDEX "payout_items_payment_idx" ON "payout_items" USING btree ("payment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payouts_processor_key" ON "payouts" USING btree ("processor_payout_id");--> statement-breakpoint
CREATE INDEX "payouts_arrival_idx" ON "payouts" USING btree ("arrival_date");--> statement-breakpoint
CREATE INDEX "payouts_amount_idx" ON "payouts" USING btree ("currency","amount_minor");--> statement-breakpoint
CREATE UNIQUE INDEX "reconciliation_exceptions_source_key" ON "reconciliation_exceptions" USING btree ("source_key");--> statement-breakpoint
CREATE INDEX "reconciliation_exceptions_open_idx" ON "reconciliation_exceptions" USING btree ("created_at") WHERE "reconciliation_exceptions"."status" = 'open';--> statement-breakpoint
CREATE INDEX "reconciliation_exceptions_day_idx" ON "reconciliation_exceptions" USING btree ("occurred_on");--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_not_overallocated" CHECK ("payments"."allocated_minor" >= 0 and "payments"."refunded_minor" >= 0 and "payments"."charged_back_minor" >= 0 and "payments"."allocated_minor" + "payments"."refunded_minor" + "payments"."charged_back_minor" <= "payments"."amount_minor");--> statement-breakpoint
-- A chargeback holds its amount from withdrawal until reinstatement, as a refund does (0003).
CREATE FUNCTION settle_chargeback_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta bigint;
BEGIN
  delta := CASE WHEN NEW.withdrawn_on IS NOT NULL AND NEW.reinstated_on IS NULL THEN NEW.amount_minor ELSE 0 END;
  IF TG_OP = 'UPDATE' THEN
    IF NEW.amount_minor <> OLD.amount_minor OR NEW.payment_id <> OLD.payment_id THEN
      RAISE EXCEPTION 'a chargeback keeps its amount and payment' USING ERRCODE = 'check_violation';
    END IF;
    delta := delta - CASE WHEN OLD.withdrawn_on IS NOT NULL AND OLD.reinstated_on IS NULL THEN OLD.amount_minor ELSE 0 END;
  END IF;
  IF delta <> 0 THEN
    UPDATE payments SET charged_back_minor = charged_back_minor + delta WHERE id = NEW.payment_id;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER chargebacks_changed AFTER INSERT OR UPDATE ON chargebacks
  FOR EACH ROW EXECUTE FUNCTION settle_chargeback_changed();
--> statement-breakpoint
-- Bank remittances name invoices by their digits ("INV-000123", "123"): found by index at any size.
CREATE INDEX "invoices_open_number_digits_idx" ON "invoices" (ltrim(regexp_replace("number", '\D', '', 'g'), '0')) WHERE "status" = 'open';
