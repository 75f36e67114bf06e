CREATE TYPE "public"."invoice_kind" AS ENUM('standard', 'late_fee', 'interest');--> statement-breakpoint
CREATE TYPE "public"."call_outcome" AS ENUM('reached', 'voicemail', 'wrong_number', 'promised', 'disputed', 'refused');--> statement-breakpoint
CREATE TYPE "public"."collection_stage" AS ENUM('none', 'upcoming', 'reminded', 'final_notice', 'call', 'credit_hold', 'agency');--> statement-breakpoint
CREATE TYPE "public"."collection_contact_kind" AS ENUM('call', 'note', 'email', 'escalation', 'snooze', 'hold');--> statement-breakpoint
CREATE TYPE "public"."dunning_action_kind" AS ENUM('email', 'task', 'late_fee', 'credit_hold', 'escalate');--> statement-breakpoint
CREATE TYPE "public"."dunning_action_outcome" AS ENUM('taken', 'superseded');--> statement-breakpoint
CREATE TYPE "public"."dunning_run_status" AS ENUM('running', 'finished', 'failed');--> statement-breakpoint
CREATE TYPE "public"."dunning_run_trigger" AS ENUM('schedule', 'manual', 'cli');--> statement-breakpoint
CREATE TYPE "public"."credit_hold_source" AS ENUM('manual', 'policy');--> statement-breakpoint
CREATE TYPE "public"."promise_source" AS ENUM('staff', 'portal');--> statement-breakpoint
CREATE TYPE "public"."promise_status" AS ENUM('open', 'kept', 'broken', 'canceled');--> statement-breakpoint
CREATE TYPE "public"."email_suppression_reason" AS ENUM('bounced', 'complained');--> statement-breakpoint
CREATE TYPE "public"."collection_task_kind" AS ENUM('call', 'follow_up', 'promise_broken', 'review', 'agency', 'other');--> statement-breakpoint
CREATE TYPE "public"."collection_task_status" AS ENUM('open', 'done', 'canceled');--> statement-breakpoint
ALTER TYPE "public"."journal_account" ADD VALUE 'fee_income';--> statement-breakpoint
ALTER TYPE "public"."journal_entry_type" ADD VALUE 'late_fee';--> statement-breakpoint
CREATE TABLE "collection_accounts" (
	"customer_id" uuid PRIMARY KEY NOT NULL,
	"policy_id" uuid,
	"stage" "collection_stage" DEFAULT 'none' NOT NULL,
	"snoozed_until" date,
	"snooze_reason" text,
	"escalated_at" timestamp with time zone,
	"agency" text,
	"last_dunned_on" date,
	"last_contact_at" timestamp with time zone,
	"next_follow_up_on" date,
	"currency" char(3) NOT NULL,
	"overdue_minor" bigint DEFAULT 0 NOT NULL,
	"oldest_overdue_days" integer DEFAULT 0 NOT NULL,
	"score" integer DEFAULT 0 NOT NULL,
	"score_reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"scored_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collection_assignment_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"position" integer NOT NULL,
	"segment" text,
	"currency" char(3),
	"min_overdue_minor" bigint,
	"collector_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collection_contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"kind" "collection_contact_kind" NOT NULL,
	"outcome" "call_outcome",
	"body" text,
	"promise_id" uuid,
	"staff_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "collection_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"invoice_id" uuid,
	"kind" "collection_task_kind" NOT NULL,
	"title" text NOT NULL,
	"due_on" date NOT NULL,
	"assignee_id" uuid,
	"status" "collection_task_status" DEFAULT 'open' NOT NULL,
	"source_key" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"completed_by" uuid,
	"outcome" text
);
--> statement-breakpoint
CREATE TABLE "credit_holds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"source" "credit_hold_source" NOT NULL,
	"source_key" text,
	"placed_by" uuid,
	"placed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lifted_at" timestamp with time zone,
	"lifted_by" uuid,
	"lift_note" text
);
--> statement-breakpoint
CREATE TABLE "dunning_actions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"invoice_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"policy_id" uuid NOT NULL,
	"step_id" text NOT NULL,
	"period" integer DEFAULT 0 NOT NULL,
	"action" "dunning_action_kind" NOT NULL,
	"outcome" "dunning_action_outcome" NOT NULL,
	"taken_on" date NOT NULL,
	"run_id" uuid,
	"reason" text NOT NULL,
	"currency" char(3) NOT NULL,
	"amount_minor" bigint,
	"email_id" uuid,
	"task_id" uuid,
	"fee_invoice_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dunning_policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"is_default" boolean DEFAULT false NOT NULL,
	"segments" text[] DEFAULT '{}'::text[] NOT NULL,
	"steps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "dunning_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"trigger" "dunning_run_trigger" NOT NULL,
	"status" "dunning_run_status" DEFAULT 'running' NOT NULL,
	"as_of" timestamp with time zone NOT NULL,
	"started_by" uuid,
	"worker" text,
	"stats" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "email_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"provider_event_id" text NOT NULL,
	"type" text NOT NULL,
	"provider_message_id" text,
	"outbox_id" uuid,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "email_suppressions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"address" text NOT NULL,
	"reason" "email_suppression_reason" NOT NULL,
	"detail" text,
	"outbox_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cleared_at" timestamp with time zone,
	"cleared_by" uuid
);
--> statement-breakpoint
CREATE TABLE "promises_to_pay" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"currency" char(3) NOT NULL,
	"amount_minor" bigint NOT NULL,
	"promised_on" date NOT NULL,
	"made_on" date NOT NULL,
	"status" "promise_status" DEFAULT 'open' NOT NULL,
	"source" "promise_source" NOT NULL,
	"note" text,
	"staff_id" uuid,
	"portal_user_id" uuid,
	"received_minor" bigint,
	"follow_up_task_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "promises_to_pay_amount_positive" CHECK ("promises_to_pay"."amount_minor" > 0)
);
--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "kind" "invoice_kind" DEFAULT 'standard' NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "fee_for_invoice_id" uuid;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "fee_period" integer;--> statement-breakpoint
ALTER TABLE "collection_accounts" ADD CONSTRAINT "collection_accounts_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_accounts" ADD CONSTRAINT "collection_accounts_policy_id_dunning_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."dunning_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_assignment_rules" ADD CONSTRAINT "collection_assignment_rules_collector_id_staff_users_id_fk" FOREIGN KEY ("collector_id") REFERENCES "public"."staff_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_contacts" ADD CONSTRAINT "collection_contacts_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_contacts" ADD CONSTRAINT "collection_contacts_staff_id_staff_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_tasks" ADD CONSTRAINT "collection_tasks_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_tasks" ADD CONSTRAINT "collection_tasks_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_tasks" ADD CONSTRAINT "collection_tasks_assignee_id_staff_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_tasks" ADD CONSTRAINT "collection_tasks_created_by_staff_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_tasks" ADD CONSTRAINT "collection_tasks_completed_by_staff_users_id_fk" FOREIGN KEY ("completed_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_holds" ADD CONSTRAINT "credit_holds_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_holds" ADD CONSTRAINT "credit_holds_placed_by_staff_users_id_fk" FOREIGN KEY ("placed_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_holds" ADD CONSTRAINT "credit_holds_lifted_by_staff_users_id_fk" FOREIGN KEY ("lifted_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_actions" ADD CONSTRAINT "dunning_actions_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_actions" ADD CONSTRAINT "dunning_actions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_actions" ADD CONSTRAINT "dunning_actions_policy_id_dunning_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."dunning_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_actions" ADD CONSTRAINT "dunning_actions_run_id_dunning_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."dunning_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_actions" ADD CONSTRAINT "dunning_actions_email_id_email_outbox_id_fk" FOREIGN KEY ("email_id") REFERENCES "public"."email_outbox"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_actions" ADD CONSTRAINT "dunning_actions_fee_invoice_id_invoices_id_fk" FOREIGN KEY ("fee_invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dunning_runs" ADD CONSTRAINT "dunning_runs_started_by_staff_users_id_fk" FOREIGN KEY ("started_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_events" ADD CONSTRAINT "email_events_outbox_id_email_outbox_id_fk" FOREIGN KEY ("outbox_id") REFERENCES "public"."email_outbox"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_suppressions" ADD CONSTRAINT "email_suppressions_outbox_id_email_outbox_id_fk" FOREIGN KEY ("outbox_id") REFERENCES "public"."email_outbox"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "email_suppressions" ADD CONSTRAINT "email_suppressions_cleared_by_staff_users_id_fk" FOREIGN KEY ("cleared_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promises_to_pay" ADD CONSTRAINT "promises_to_pay_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promises_to_pay" ADD CONSTRAINT "promises_to_pay_staff_id_staff_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promises_to_pay" ADD CONSTRAINT "promises_to_pay_portal_user_id_portal_users_id_fk" FOREIGN KEY ("portal_user_id") REFERENCES "public"."portal_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promises_to_pay" ADD CONSTRAINT "promises_to_pay_follow_up_task_id_collection_tasks_id_fk" FOREIGN KEY ("follow_up_task_id") REFERENCES "public"."collection_tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "collection_accounts_worklist_idx" ON "collection_accounts" USING btree ("score" DESC NULLS LAST,"customer_id") WHERE "collection_accounts"."overdue_minor" > 0;--> statement-breakpoint
CREATE INDEX "collection_accounts_follow_up_idx" ON "collection_accounts" USING btree ("next_follow_up_on") WHERE "collection_accounts"."next_follow_up_on" is not null;--> statement-breakpoint
CREATE INDEX "collection_accounts_dunned_idx" ON "collection_accounts" USING btree ("last_dunned_on");--> statement-breakpoint
CREATE INDEX "collection_assignment_rules_position_idx" ON "collection_assignment_rules" USING btree ("position");--> statement-breakpoint
CREATE INDEX "collection_contacts_customer_idx" ON "collection_contacts" USING btree ("customer_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "collection_tasks_source_key" ON "collection_tasks" USING btree ("source_key");--> statement-breakpoint
CREATE INDEX "collection_tasks_open_idx" ON "collection_tasks" USING btree ("due_on","customer_id") WHERE "collection_tasks"."status" = 'open';--> statement-breakpoint
CREATE INDEX "collection_tasks_customer_idx" ON "collection_tasks" USING btree ("customer_id","status");--> statement-breakpoint
CREATE INDEX "collection_tasks_assignee_idx" ON "collection_tasks" USING btree ("assignee_id","due_on") WHERE "collection_tasks"."status" = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX "credit_holds_source_key" ON "credit_holds" USING btree ("source_key");--> statement-breakpoint
CREATE INDEX "credit_holds_active_idx" ON "credit_holds" USING btree ("customer_id") WHERE "credit_holds"."lifted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "dunning_actions_once" ON "dunning_actions" USING btree ("invoice_id","step_id","period");--> statement-breakpoint
CREATE INDEX "dunning_actions_customer_idx" ON "dunning_actions" USING btree ("customer_id","created_at");--> statement-breakpoint
CREATE INDEX "dunning_actions_run_idx" ON "dunning_actions" USING btree ("run_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dunning_policies_name_key" ON "dunning_policies" USING btree (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "dunning_policies_one_default" ON "dunning_policies" USING btree ("is_default") WHERE "dunning_policies"."is_default" and "dunning_policies"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "dunning_runs_started_idx" ON "dunning_runs" USING btree ("started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "email_events_provider_event_key" ON "email_events" USING btree ("provider_event_id");--> statement-breakpoint
CREATE INDEX "email_events_outbox_idx" ON "email_events" USING btree ("outbox_id");--> statement-breakpoint
CREATE UNIQUE INDEX "email_suppressions_active_key" ON "email_suppressions" USING btree (lower("address")) WHERE "email_suppressions"."cleared_at" is null;--> statement-breakpoint
CREATE INDEX "promises_to_pay_customer_idx" ON "promises_to_pay" USING btree ("customer_id","status");--> statement-breakpoint
CREATE INDEX "promises_to_pay_open_idx" ON "promises_to_pay" USING btree ("promised_on") WHERE "promises_to_pay"."status" = 'open';--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_fee_for_invoice_fk" FOREIGN KEY ("fee_for_invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "email_outbox_provider_message_idx" ON "email_outbox" USING btree ("provider_message_id");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_fee_period_key" ON "invoices" USING btree ("fee_for_invoice_id","kind","fee_period");
