-- Bank lines name their payer in words ("ACME INTL", "Acme International Ltd"): the words of a
-- customer's name, found by index at any number of customers (prefix queries too).
CREATE INDEX "customers_name_words_idx" ON "customers" USING gin (to_tsvector('simple', "name"));
--> statement-breakpoint
-- Remittances give account numbers loosely ("c10023", "10023"): both readings found by index.
CREATE INDEX "customers_account_key_idx" ON "customers" (regexp_replace(upper("account_number"), '[^A-Z0-9]', '', 'g'));
--> statement-breakpoint
CREATE INDEX "customers_account_digits_idx" ON "customers" (ltrim(regexp_replace("account_number", '\D', '', 'g'), '0'));
