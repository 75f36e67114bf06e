DROP INDEX "audit_log_customer_idx";--> statement-breakpoint
DROP INDEX "customer_balances_balance_idx";--> statement-breakpoint
CREATE INDEX "audit_log_customer_idx" ON "audit_log" USING btree ("customer_id","id");--> statement-breakpoint
CREATE INDEX "customer_balances_balance_idx" ON "customer_balances" USING btree ("balance_minor","customer_id");