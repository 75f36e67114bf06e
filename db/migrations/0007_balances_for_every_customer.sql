-- Every customer has a running-totals row from the moment it exists, so customer lists join it
-- plainly and sort by balance on its index (a left join with coalesce cannot use the index).
CREATE FUNCTION settle_customer_balance_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO customer_balances (customer_id, currency) VALUES (NEW.id, NEW.currency) ON CONFLICT (customer_id) DO NOTHING;
  ELSIF NEW.currency <> OLD.currency THEN
    -- Only possible while the customer has nothing in the books (updateCustomer refuses otherwise).
    UPDATE customer_balances SET currency = NEW.currency WHERE customer_id = NEW.id;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER customers_balance_row AFTER INSERT OR UPDATE OF currency ON customers
  FOR EACH ROW EXECUTE FUNCTION settle_customer_balance_row();
--> statement-breakpoint
INSERT INTO customer_balances (customer_id, currency)
SELECT id, currency FROM customers ON CONFLICT (customer_id) DO NOTHING;
--> statement-breakpoint
-- Overdue sums per customer read the open amount from the index alone.
DROP INDEX IF EXISTS invoices_customer_open_idx;
--> statement-breakpoint
CREATE INDEX invoices_customer_open_idx ON invoices (customer_id, due_date) INCLUDE (open_minor) WHERE status = 'open';
