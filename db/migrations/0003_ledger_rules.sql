-- The ledger's rules, held by the database so that no code path (route, job, webhook, CLI, a
-- hand-typed psql session) can break them. See ADR 009.

-- Append-only history: corrections are new rows.
CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries
  FOR EACH ROW EXECUTE FUNCTION settle_forbid_change();
--> statement-breakpoint
CREATE TRIGGER journal_lines_append_only BEFORE UPDATE OR DELETE ON journal_lines
  FOR EACH ROW EXECUTE FUNCTION settle_forbid_change();
--> statement-breakpoint
CREATE TRIGGER allocations_append_only BEFORE UPDATE OR DELETE ON allocations
  FOR EACH ROW EXECUTE FUNCTION settle_forbid_change();
--> statement-breakpoint
CREATE TRIGGER credit_note_lines_append_only BEFORE UPDATE OR DELETE ON credit_note_lines
  FOR EACH ROW EXECUTE FUNCTION settle_forbid_change();
--> statement-breakpoint
CREATE FUNCTION settle_forbid_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME USING ERRCODE = 'raise_exception';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments FOR EACH ROW EXECUTE FUNCTION settle_forbid_delete();
--> statement-breakpoint
CREATE TRIGGER credit_notes_no_delete BEFORE DELETE ON credit_notes FOR EACH ROW EXECUTE FUNCTION settle_forbid_delete();
--> statement-breakpoint
CREATE TRIGGER refunds_no_delete BEFORE DELETE ON refunds FOR EACH ROW EXECUTE FUNCTION settle_forbid_delete();
--> statement-breakpoint

-- Every journal entry balances (its lines sum to zero), and each customer's running totals move
-- with the lines in the same statement. Lines of one entry are inserted by one statement.
CREATE FUNCTION settle_journal_lines_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
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
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER journal_lines_inserted AFTER INSERT ON journal_lines
  REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION settle_journal_lines_inserted();
--> statement-breakpoint

-- An issued invoice keeps its customer, currency and amounts; its status follows what is open.
CREATE FUNCTION settle_invoice_before_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  remaining bigint;
BEGIN
  IF OLD.status <> 'draft' AND (NEW.customer_id <> OLD.customer_id OR NEW.currency <> OLD.currency
      OR NEW.subtotal_minor <> OLD.subtotal_minor OR NEW.tax_minor <> OLD.tax_minor OR NEW.total_minor <> OLD.total_minor
      OR NEW.number IS DISTINCT FROM OLD.number) THEN
    RAISE EXCEPTION 'invoice % is issued: its customer, currency, number and amounts cannot change', OLD.number USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.status = 'void' AND NEW.status <> 'void' THEN
    RAISE EXCEPTION 'invoice % is void', OLD.number USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.status = 'void' AND (NEW.paid_minor <> 0 OR NEW.credited_minor <> 0 OR NEW.discounted_minor <> 0 OR NEW.written_off_minor <> 0) THEN
    RAISE EXCEPTION 'invoice % has money applied and cannot be void', OLD.number USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.status IN ('open', 'paid', 'written_off') THEN
    remaining := NEW.total_minor - NEW.paid_minor - NEW.credited_minor - NEW.discounted_minor - NEW.written_off_minor;
    NEW.status := CASE WHEN remaining > 0 THEN 'open' WHEN NEW.written_off_minor > 0 THEN 'written_off' ELSE 'paid' END;
  END IF;
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER invoices_before_update BEFORE UPDATE ON invoices
  FOR EACH ROW EXECUTE FUNCTION settle_invoice_before_update();
--> statement-breakpoint
CREATE TRIGGER invoices_no_delete_issued BEFORE DELETE ON invoices
  FOR EACH ROW WHEN (OLD.status <> 'draft') EXECUTE FUNCTION settle_forbid_delete();
--> statement-breakpoint

-- Lines belong to drafts only while they are drafts.
CREATE FUNCTION settle_invoice_lines_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  parent_status invoice_status;
BEGIN
  SELECT status INTO parent_status FROM invoices WHERE id = COALESCE(NEW.invoice_id, OLD.invoice_id);
  IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
    RAISE EXCEPTION 'the lines of an issued invoice cannot change' USING ERRCODE = 'check_violation';
  END IF;
  RETURN COALESCE(NEW, OLD);
END;
$$;
--> statement-breakpoint
CREATE TRIGGER invoice_lines_guard BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
  FOR EACH ROW EXECUTE FUNCTION settle_invoice_lines_guard();
--> statement-breakpoint

-- An application moves the totals of its invoice and of its payment or credit document; their
-- CHECK constraints then refuse anything applied beyond what there is.
CREATE FUNCTION settle_allocation_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target_status invoice_status;
  reversed_amount bigint;
BEGIN
  IF NEW.reverses_id IS NOT NULL THEN
    SELECT amount_minor INTO reversed_amount FROM allocations WHERE id = NEW.reverses_id;
    IF reversed_amount IS NULL OR reversed_amount <= 0 OR NEW.amount_minor <> -reversed_amount THEN
      RAISE EXCEPTION 'a reversal must undo exactly one application' USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  SELECT status INTO target_status FROM invoices WHERE id = NEW.invoice_id;
  IF target_status NOT IN ('open', 'paid', 'written_off') THEN
    RAISE EXCEPTION 'money can only be applied to an issued invoice, not a % one', target_status USING ERRCODE = 'check_violation';
  END IF;
  UPDATE invoices
     SET paid_minor = paid_minor + CASE WHEN NEW.kind = 'payment' THEN NEW.amount_minor ELSE 0 END,
         credited_minor = credited_minor + CASE WHEN NEW.kind = 'credit_note' THEN NEW.amount_minor ELSE 0 END,
         discounted_minor = discounted_minor + CASE WHEN NEW.kind = 'discount' THEN NEW.amount_minor ELSE 0 END,
         written_off_minor = written_off_minor + CASE WHEN NEW.kind = 'write_off' THEN NEW.amount_minor ELSE 0 END
   WHERE id = NEW.invoice_id;
  IF NEW.payment_id IS NOT NULL THEN
    UPDATE payments SET allocated_minor = allocated_minor + NEW.amount_minor WHERE id = NEW.payment_id;
  ELSE
    UPDATE credit_notes SET allocated_minor = allocated_minor + NEW.amount_minor WHERE id = NEW.credit_note_id;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER allocations_inserted AFTER INSERT ON allocations
  FOR EACH ROW EXECUTE FUNCTION settle_allocation_inserted();
--> statement-breakpoint

-- A pending or succeeded refund holds its amount; a failed one gives it back.
CREATE FUNCTION settle_refund_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta bigint;
BEGIN
  delta := CASE WHEN NEW.status IN ('pending', 'succeeded') THEN NEW.amount_minor ELSE 0 END;
  IF TG_OP = 'UPDATE' THEN
    IF NEW.amount_minor <> OLD.amount_minor OR NEW.payment_id IS DISTINCT FROM OLD.payment_id OR NEW.credit_note_id IS DISTINCT FROM OLD.credit_note_id THEN
      RAISE EXCEPTION 'a refund keeps its amount and source' USING ERRCODE = 'check_violation';
    END IF;
    delta := delta - CASE WHEN OLD.status IN ('pending', 'succeeded') THEN OLD.amount_minor ELSE 0 END;
  END IF;
  IF delta <> 0 THEN
    IF NEW.payment_id IS NOT NULL THEN
      UPDATE payments SET refunded_minor = refunded_minor + delta WHERE id = NEW.payment_id;
    ELSE
      UPDATE credit_notes SET refunded_minor = refunded_minor + delta WHERE id = NEW.credit_note_id;
    END IF;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER refunds_changed AFTER INSERT OR UPDATE ON refunds
  FOR EACH ROW EXECUTE FUNCTION settle_refund_changed();
--> statement-breakpoint

-- A payment and a credit document keep their customer, currency and amount once written.
CREATE FUNCTION settle_payment_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.customer_id <> OLD.customer_id OR NEW.currency <> OLD.currency OR NEW.amount_minor <> OLD.amount_minor THEN
    RAISE EXCEPTION 'a payment keeps its customer, currency and amount' USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.status = 'reversed' AND NEW.status <> 'reversed' THEN
    RAISE EXCEPTION 'a reversed payment stays reversed' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER payments_fixed BEFORE UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION settle_payment_fixed();
--> statement-breakpoint
CREATE FUNCTION settle_credit_note_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.customer_id <> OLD.customer_id OR NEW.currency <> OLD.currency OR NEW.total_minor <> OLD.total_minor
     OR NEW.number <> OLD.number OR NEW.kind <> OLD.kind THEN
    RAISE EXCEPTION 'a credit note keeps its customer, currency, number and amount' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER credit_notes_fixed BEFORE UPDATE ON credit_notes FOR EACH ROW EXECUTE FUNCTION settle_credit_note_fixed();
