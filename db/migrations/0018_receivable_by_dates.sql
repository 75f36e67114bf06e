CREATE TABLE "receivable_by_dates" (
	"issue_date" date NOT NULL,
	"due_date" date NOT NULL,
	"currency" char(3) NOT NULL,
	"amount_minor" bigint NOT NULL,
	CONSTRAINT "receivable_by_dates_issue_date_due_date_currency_pk" PRIMARY KEY("issue_date","due_date","currency")
);
--> statement-breakpoint
CREATE TABLE "receivable_by_dates_pending" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"issue_date" date NOT NULL,
	"due_date" date NOT NULL,
	"currency" char(3) NOT NULL,
	"amount_minor" bigint NOT NULL
);
--> statement-breakpoint
-- The journal trigger of 0016, plus receivable lines summed by their invoice's issue and due dates.
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

  INSERT INTO receivable_lines (journal_line_id, effective_date, invoice_id, customer_id, currency, issue_date, due_date, amount_minor)
  SELECT l.id, l.effective_date, l.invoice_id, l.customer_id, l.currency, i.issue_date, i.due_date, l.amount_minor
    FROM new_lines l JOIN invoices i ON i.id = l.invoice_id
   WHERE l.account = 'receivable';

  INSERT INTO receivable_by_dates_pending (issue_date, due_date, currency, amount_minor)
  SELECT i.issue_date, i.due_date, l.currency, sum(l.amount_minor)
    FROM new_lines l JOIN invoices i ON i.id = l.invoice_id
   WHERE l.account = 'receivable'
   GROUP BY 1, 2, 3;

  INSERT INTO receivable_overdue_pending (day, currency, amount_minor)
  SELECT greatest(l.effective_date, i.due_date + 1), l.currency, sum(l.amount_minor)
    FROM new_lines l JOIN invoices i ON i.id = l.invoice_id
   WHERE l.account = 'receivable'
   GROUP BY 1, 2;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION settle_fold_ledger_daily() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  moved integer;
  moved_overdue integer;
  moved_by_dates integer;
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

  WITH taken AS (DELETE FROM receivable_overdue_pending RETURNING day, currency, amount_minor),
       upserted AS (
         INSERT INTO receivable_overdue_daily AS d (day, currency, amount_minor)
         SELECT day, currency, sum(amount_minor)::bigint FROM taken GROUP BY day, currency ORDER BY day, currency
         ON CONFLICT (day, currency) DO UPDATE SET amount_minor = d.amount_minor + excluded.amount_minor
         RETURNING 1
       )
  SELECT count(*) INTO moved_overdue FROM upserted;

  WITH taken AS (DELETE FROM receivable_by_dates_pending RETURNING issue_date, due_date, currency, amount_minor),
       upserted AS (
         INSERT INTO receivable_by_dates AS d (issue_date, due_date, currency, amount_minor)
         SELECT issue_date, due_date, currency, sum(amount_minor)::bigint FROM taken GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
         ON CONFLICT (issue_date, due_date, currency) DO UPDATE SET amount_minor = d.amount_minor + excluded.amount_minor
         RETURNING 1
       )
  SELECT count(*) INTO moved_by_dates FROM upserted;
  RETURN moved + moved_overdue + moved_by_dates;
END;
$$;
--> statement-breakpoint
INSERT INTO receivable_by_dates (issue_date, due_date, currency, amount_minor)
SELECT issue_date, due_date, currency, sum(amount_minor) FROM receivable_lines GROUP BY 1, 2, 3;
