/**
 * The large dataset for `npm run bench`: 100,000 customers and 1,000,000 invoices over two
 * years, most paid (some late, some in part), on a PostgreSQL database of its own. It is
 * written with set-based SQL in batches, but through the same tables, triggers and constraints
 * as the app: every journal entry balances, every application moves its invoice and payment,
 * customer balances are kept by the journal trigger. Built once, then reused.
 */
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { connect, rowsOf, type Connection } from "~db/client";
import { migrate } from "~db/migrate";
import { today } from "~/utils/dates";

export type DatasetSize = { customers: number; invoices: number };
export const FULL_SIZE: DatasetSize = { customers: 100_000, invoices: 1_000_000 };
const VERSION = 3;

export async function ensureDatabase(url: string) {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  target.pathname = "/postgres";
  const admin = postgres(target.toString(), { max: 1, onnotice: () => {} });
  try {
    const exists = await admin`select 1 from pg_database where datname = ${name}`;
    if (exists.length === 0) await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
}

type Progress = (label: string, done: number, total: number) => void;

export async function openBenchDataset(url: string, size: DatasetSize, progress: Progress): Promise<Connection> {
  await ensureDatabase(url);
  const connection = connect({ databaseUrl: url, poolSize: 8 });
  await migrate(connection);
  const db = connection.db;
  const [meta] = rowsOf<{ value: { version: number; customers: number; invoices: number; asOf: string } }>(
    await db.execute(sql`select value from settings where key = 'bench_dataset'`),
  );
  if (meta && meta.value.version === VERSION && meta.value.customers === size.customers && meta.value.invoices === size.invoices) {
    progress(`reusing the dataset built on ${meta.value.asOf}`, 1, 1);
    return connection;
  }
  progress("clearing the bench database", 0, 1);
  await db.execute(sql`drop schema public cascade`);
  await db.execute(sql`drop schema if exists drizzle cascade`);
  await db.execute(sql`create schema public`);
  await migrate(connection);
  await build(connection, size, progress);
  await db.execute(sql`insert into settings (key, value) values ('bench_dataset', ${JSON.stringify({ version: VERSION, ...size, asOf: today() })}::jsonb)`);
  progress("analyzing", 0, 1);
  await db.execute(sql`analyze`);
  return connection;
}

async function build(connection: Connection, size: DatasetSize, progress: Progress) {
  const db = connection.db;
  const run = (query: string) => db.execute(sql.raw(query));
  await run(`insert into staff_users (email, name, role, password_hash)
             select 'collector' || g || '@bench.example', 'Collector ' || g, 'clerk', 'not-a-password' from generate_series(1, 8) g`);
  progress("customers", 0, size.customers);
  await run(`
    insert into customers (account_number, name, email, currency, payment_terms_days, early_discount_bps, early_discount_days, credit_limit_minor, segment, collector_id, external_ref)
    select 'B-' || lpad(g::text, 7, '0'),
           (array['Acme','Globex','Initech','Umbrella','Stark','Wayne','Tyrell','Cyberdyne','Soylent','Hooli'])[1 + g % 10] || ' ' ||
             (array['Supply','Logistics','Foods','Tools','Labs','Health','Energy','Marine'])[1 + (g / 10) % 8] || ' ' || g ||
             (array[' Ltd',' Inc.',' LLC',' GmbH'])[1 + g % 4],
           'ap' || g || '@bench.example', 'USD',
           (array[30, 30, 45, 15, 60])[1 + g % 5],
           case when g % 7 = 0 then 200 else 0 end, case when g % 7 = 0 then 10 else 0 end,
           (1 + g % 20) * 500000,
           (array['Enterprise','Mid-market','Small business','Small business'])[1 + g % 4],
           (select id from staff_users where email = 'collector' || (1 + g % 8) || '@bench.example'),
           'ERP-B' || g
      from generate_series(1, ${size.customers}) g`);
  await run(`create table if not exists bench_customer_rank as select id, row_number() over (order by account_number) as rn from customers`);
  await run(`create unique index if not exists bench_customer_rank_rn on bench_customer_rank (rn)`);
  progress("customers", size.customers, size.customers);

  const asOf = today();
  const batch = 50_000;
  for (let start = 1; start <= size.invoices; start += batch) {
    const end = Math.min(size.invoices, start + batch - 1);
    // Deterministic pseudo-random numbers per invoice from its index, in [0, 1).
    const r = (salt: number) => `((abs(hashtext(g::text || '-${salt}')) % 1000000) / 1000000.0)`;
    await db.transaction(async (tx) => {
      const t = (query: string) => tx.execute(sql.raw(query));
      // A few customers are large: the square skews invoices toward low ranks.
      await t(`
        create temp table bench_batch on commit drop as
        select g, c.id as customer_id,
               ('${asOf}'::date - (730 * ${r(1)})::int) as issue_date,
               (1000 + floor(400000 * power(${r(2)}, 3)))::bigint as total,
               ${r(3)} as pay_roll, ${r(4)} as late_roll, ${r(5)} as part_roll
          from generate_series(${start}, ${end}) g
          join bench_customer_rank c on c.rn = 1 + floor(${size.customers - 1} * power(${r(6)}, 2))::int`);
      await t(`
        insert into invoices (id, customer_id, number, status, currency, issue_date, due_date, payment_terms_days, early_discount_bps, early_discount_days,
                              subtotal_minor, tax_minor, total_minor, public_token, external_ref, issued_at)
        select md5('inv' || b.g)::uuid, b.customer_id, 'B-INV-' || lpad(b.g::text, 8, '0'), 'draft', 'USD', b.issue_date, b.issue_date + cu.payment_terms_days,
               cu.payment_terms_days, 0, 0, b.total, 0, b.total, md5('tok' || b.g), 'ERP-INV-' || b.g, now()
          from bench_batch b join customers cu on cu.id = b.customer_id`);
      await t(`
        insert into invoice_lines (invoice_id, position, description, quantity_milli, unit_price_minor, tax_rate_bps, net_minor, tax_minor, total_minor)
        select md5('inv' || g)::uuid, 0, 'Supplies', 1000, total, 0, total, 0, total from bench_batch`);
      await t(`update invoices set status = 'open' where id in (select md5('inv' || g)::uuid from bench_batch)`);
      await t(`
        with e as (
          insert into journal_entries (source_key, type, customer_id, currency, effective_date, description, invoice_id, actor_type)
          select 'invoice:' || md5('inv' || g)::uuid || ':issued', 'invoice_issued', customer_id, 'USD', issue_date, 'Invoice B-INV-' || lpad(g::text, 8, '0'), md5('inv' || g)::uuid, 'system'
            from bench_batch
          returning id, customer_id, effective_date, invoice_id)
        insert into journal_lines (entry_id, customer_id, currency, account, invoice_id, amount_minor, effective_date)
        select e.id, e.customer_id, 'USD', v.account::journal_account, case when v.account = 'receivable' then e.invoice_id end, v.sign * b.total, e.effective_date
          from e join bench_batch b on md5('inv' || b.g)::uuid = e.invoice_id
          cross join (values ('receivable', 1), ('revenue', -1)) v(account, sign)`);
      // 85% are paid: most on time or late, one in ten in part; recent invoices are often still open.
      await t(`
        create temp table bench_paid on commit drop as
        select g, customer_id, md5('inv' || g)::uuid as invoice_id, md5('pay' || g)::uuid as payment_id,
               case when part_roll < 0.1 then (total * (30 + floor(part_roll * 600)) / 100)::bigint else total end as amount,
               least('${asOf}'::date, issue_date + 30 + (-10 + floor(late_roll * late_roll * 120))::int) as received_on
          from bench_batch
         where pay_roll < 0.85 and issue_date + 30 + (-10 + floor(late_roll * late_roll * 120))::int <= '${asOf}'::date`);
      await t(`
        insert into payments (id, customer_id, currency, amount_minor, method, reference, received_on, source_key)
        select payment_id, customer_id, 'USD', amount, (array['ach','check','wire','card'])[1 + g % 4]::payment_method, 'REF' || g, received_on, 'payment:bench-' || g
          from bench_paid`);
      await t(`
        with e as (
          insert into journal_entries (source_key, type, customer_id, currency, effective_date, description, payment_id, actor_type)
          select 'payment:' || payment_id || ':received', 'payment_received', customer_id, 'USD', received_on, 'Payment received', payment_id, 'system' from bench_paid
          returning id, customer_id, effective_date, payment_id)
        insert into journal_lines (entry_id, customer_id, currency, account, amount_minor, effective_date)
        select e.id, e.customer_id, 'USD', v.account::journal_account, v.sign * p.amount, e.effective_date
          from e join bench_paid p on p.payment_id = e.payment_id
          cross join (values ('cash', 1), ('customer_credit', -1)) v(account, sign)`);
      await t(`
        insert into allocations (id, customer_id, currency, invoice_id, kind, payment_id, amount_minor, applied_on, source_key)
        select md5('alloc' || g)::uuid, customer_id, 'USD', invoice_id, 'payment', payment_id, amount, received_on, 'bench-alloc:' || g from bench_paid`);
      await t(`
        with e as (
          insert into journal_entries (source_key, type, customer_id, currency, effective_date, description, invoice_id, payment_id, allocation_id, actor_type)
          select 'allocation:' || md5('alloc' || g)::uuid, 'allocation', customer_id, 'USD', received_on, 'Applied to invoice', invoice_id, payment_id, md5('alloc' || g)::uuid, 'system' from bench_paid
          returning id, customer_id, effective_date, invoice_id, allocation_id)
        insert into journal_lines (entry_id, customer_id, currency, account, invoice_id, amount_minor, effective_date)
        select e.id, e.customer_id, 'USD', v.account::journal_account, case when v.account = 'receivable' then e.invoice_id end, v.sign * p.amount, e.effective_date
          from e join bench_paid p on md5('alloc' || p.g)::uuid = e.allocation_id
          cross join (values ('customer_credit', 1), ('receivable', -1)) v(account, sign)`);
    });
    progress("invoices, payments and the journal", end, size.invoices);
  }
  await db.execute(sql`insert into number_series (key, prefix, next_value, padding) values ('invoice', 'INV-', 1, 6) on conflict do nothing`);
}
