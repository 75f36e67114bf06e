ALTER TABLE "operation_keys" ADD COLUMN "resource" text;--> statement-breakpoint
ALTER TABLE "operation_keys" ADD COLUMN "resource_id" text;--> statement-breakpoint
ALTER TABLE "operation_keys" ADD COLUMN "fingerprint" text;