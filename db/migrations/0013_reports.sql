CREATE TABLE "cash_forecast_snapshots" (
	"made_on" date NOT NULL,
	"week_start" date NOT NULL,
	"currency" char(3) NOT NULL,
	"expected_minor" bigint NOT NULL,
	CONSTRAINT "cash_forecast_snapshots_made_on_week_start_currency_pk" PRIMARY KEY("made_on","week_start","currency")
);
--> statement-breakpoint
CREATE TABLE "customer_payment_stats" (
	"customer_id" uuid PRIMARY KEY NOT NULL,
	"invoices_paid" integer NOT NULL,
	"avg_days_to_pay" real,
	"avg_days_late" real,
	"on_time_bps" integer,
	"recent_days_late" real,
	"prior_days_late" real,
	"grade" char(1) NOT NULL,
	"reasons" jsonb NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_daily" (
	"day" date NOT NULL,
	"currency" char(3) NOT NULL,
	"entry_type" "journal_entry_type" NOT NULL,
	"account" "journal_account" NOT NULL,
	"amount_minor" bigint NOT NULL,
	"lines" integer NOT NULL,
	CONSTRAINT "ledger_daily_day_currency_entry_type_account_pk" PRIMARY KEY("day","currency","entry_type","account")
);
--> statement-breakpoint
CREATE TABLE "ledger_daily_pending" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"day" date NOT NULL,
	"currency" char(3) NOT NULL,
	"entry_type" "journal_entry_type" NOT NULL,
	"account" "journal_account" NOT NULL,
	"amount_minor" bigint NOT NULL,
	"lines" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_schedules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"report" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"recipients" text[] NOT NULL,
	"weekday" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"last_sent_on" date,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "report_schedules_weekday" CHECK ("report_schedules"."weekday" between 1 and 7)
);
--> statement-breakpoint
DROP INDEX "invoices_open_due_idx";--> statement-breakpoint
ALTER TABLE "customer_payment_stats" ADD CONSTRAINT "customer_payment_stats_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_schedules" ADD CONSTRAINT "report_schedules_created_by_staff_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_payment_stats_grade_idx" ON "customer_payment_stats" USING btree ("grade");--> statement-breakpoint
CREATE INDEX "journal_lines_receivable_date_idx" ON "journal_lines" USING btree ("effective_date","invoice_id","amount_minor") WHERE "journal_lines"."account" = 'receivable';--> statement-breakpoint
CREATE INDEX "invoices_open_due_idx" ON "invoices" USING btree ("due_date","customer_id","issue_date","currency","open_minor") WHERE "invoices"."status" = 'open';--> statement-breakpoint
-- The journal trigger of 0003, plus: each statement appends its lines' sums per day, currency,
-- entry type and account to ledger_daily_pending. Appending, not updating a shared per-day row,
-- keeps concurrent money-moving transactions from queueing (or deadlocking) on one hot row.
CREATE OR REPLACE FUNCTION settle_journal_lines_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  unbalanced bigint;
BEGIN
  SELECT l.entry_id INTO unbalanced
    FROM journal_lines l
   WHERE l.entry_id IN (SELECT DISTINCT entry_id FROM new_lines)
   GROUP BY l.entry_id
  HAVING sum(l.amount_minor) <> 0 OR count(DISTINCT l.currency) <> 1 OR count(DISTINCT l.customer_id) <> 1
   LIMIT 1;
  IF unbalanced IS NOT NULL THEN
    RAISE EXCEPTION 'journal entry % does not balance in one currency for one customer', unbalanced USING ERRCODE = 'check_violation';
  END IF;

  INSERT INTO customer_balances AS b (customer_id, currency, receivable_minor, unapplied_minor, balance_minor, updated_at)
  SELECT customer_id,
         min(currency),
         coalesce(sum(amount_minor) FILTER (WHERE account = 'receivable'), 0),
         -coalesce(sum(amount_minor) FILTER (WHERE account = 'customer_credit'), 0),
         sum(amount_minor),
         now()
    FROM new_lines
   WHERE account IN ('receivable', 'customer_credit')
   GROUP BY customer_id
   ORDER BY customer_id
  ON CONFLICT (customer_id) DO UPDATE
     SET receivable_minor = b.receivable_minor + excluded.receivable_minor,
         unapplied_minor = b.unapplied_minor + excluded.unapplied_minor,
         balance_minor = b.balance_minor + excluded.balance_minor,
         updated_at = now();

  INSERT INTO ledger_daily_pending (day, currency, entry_type, account, amount_minor, lines)
  SELECT l.effective_date, l.currency, e.type, l.account, sum(l.amount_minor), count(*)
    FROM new_lines l JOIN journal_entries e ON e.id = l.entry_id
   GROUP BY l.effective_date, l.currency, e.type, l.account;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Moves pending sums into ledger_daily. Rows another transaction has not committed yet are not
-- seen, so they stay pending for the next fold; two folds at once wait on the same rows.
CREATE FUNCTION settle_fold_ledger_daily() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  moved integer;
BEGIN
  WITH taken AS (DELETE FROM ledger_daily_pending RETURNING day, currency, entry_type, account, amount_minor, lines),
       summed AS (
         SELECT day, currency, entry_type, account, sum(amount_minor)::bigint AS amount_minor, sum(lines)::integer AS lines
           FROM taken GROUP BY day, currency, entry_type, account
       ),
       upserted AS (
         INSERT INTO ledger_daily AS d (day, currency, entry_type, account, amount_minor, lines)
         SELECT * FROM summed ORDER BY day, currency, entry_type, account
         ON CONFLICT (day, currency, entry_type, account) DO UPDATE
            SET amount_minor = d.amount_minor + excluded.amount_minor, lines = d.lines + excluded.lines
         RETURNING 1
       )
  SELECT count(*) INTO moved FROM upserted;
  RETURN moved;
END;
$$;
--> statement-breakpoint
INSERT INTO ledger_daily (day, currency, entry_type, account, amount_minor, lines)
SELECT l.effective_date, l.currency, e.type, l.account, sum(l.amount_minor), count(*)
  FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
 GROUP BY l.effective_date, l.currency, e.type, l.account;
