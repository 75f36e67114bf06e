CREATE TABLE IF NOT EXISTS "receivable_lines" (
	"journal_line_id" bigint PRIMARY KEY NOT NULL,
	"effective_date" date NOT NULL,
	"invoice_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"currency" char(3) NOT NULL,
	"issue_date" date NOT NULL,
	"due_date" date NOT NULL,
	"amount_minor" bigint NOT NULL
);
--> statement-breakpoint
DROP INDEX IF EXISTS "journal_lines_receivable_date_idx";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "receivable_lines_date_idx" ON "receivable_lines" USING btree ("effective_date","customer_id","currency","issue_date","due_date","amount_minor");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "customer_balances_receivable_idx" ON "customer_balances" USING btree ("receivable_minor" DESC NULLS LAST,"customer_id") WHERE "customer_balances"."receivable_minor" > 0;
--> statement-breakpoint
-- (Written to run again harmlessly: an early draft of this migration reached some development databases.)
-- The journal trigger of 0014, plus each receivable line copied with its invoice's dates.
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

  INSERT INTO receivable_overdue_pending (day, currency, amount_minor)
  SELECT greatest(l.effective_date, i.due_date + 1), l.currency, sum(l.amount_minor)
    FROM new_lines l JOIN invoices i ON i.id = l.invoice_id
   WHERE l.account = 'receivable'
   GROUP BY 1, 2;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER receivable_lines_append_only BEFORE UPDATE OR DELETE ON receivable_lines
  FOR EACH ROW EXECUTE FUNCTION settle_forbid_change();
--> statement-breakpoint
INSERT INTO receivable_lines (journal_line_id, effective_date, invoice_id, customer_id, currency, issue_date, due_date, amount_minor)
SELECT l.id, l.effective_date, l.invoice_id, l.customer_id, l.currency, i.issue_date, i.due_date, l.amount_minor
  FROM journal_lines l JOIN invoices i ON i.id = l.invoice_id
 WHERE l.account = 'receivable'
ON CONFLICT (journal_line_id) DO NOTHING;
--> statement-breakpoint
ANALYZE receivable_lines;
