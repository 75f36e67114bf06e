import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation, useNavigate, useSearchParams } from "@remix-run/react";
import { Fragment, useEffect, useRef, useState, type ReactNode } from "react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { collectionsCustomer, getCollectionsAccount } from "~/collections/account.server";
import { callOutcomes, manualTaskKinds, NOTE_MAX } from "~/collections/account-actions";
import { addNote, addPromise, addTask, cancelPromise, escalate, finishTask, liftHold, logCall, placeHold, requestAccountWriteOff, sendReminder, snooze, unsnooze } from "~/collections/actions.server";
import { reminderTones, toneLabels } from "~/collections/policy";
import {
  callOutcomeLabels,
  contactKindLabels,
  dunningActionLabels,
  Kbd,
  PromiseStatusBadge,
  ScoreReasons,
  StageBadge,
  taskKindLabels,
  useShortcuts,
  useWorklistNeighbours,
  worklistNeighbour,
} from "~/components/collections-ui";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { Money } from "~/components/money";
import { SelectField, TextAreaField } from "~/disputes/dispute-ui";
import { formatMoney, toDecimalString } from "~/money/money";
import { newFormKey, runDomain } from "~/utils/action.server";
import { addDays } from "~/utils/dates";
import { amountSchema, idempotencyKeySchema, isoDateSchema, optionalText, requiredText } from "~/utils/form-schemas";
import { formatDate, formatDateTime } from "~/utils/format";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm, type FieldErrors } from "~/utils/validation";
import accountStyles from "~/styles/collections-account.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: accountStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.customer.name ?? "Account"} · Collections · Settle back office` }];

const paramsSchema = z.object({ customerId: z.uuid() });

function customerIdOf(params: unknown) {
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Customer not found");
  return parsed.data.customerId;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const account = await getCollectionsAccount(customerIdOf(params));
  invariantResponse(account, "Customer not found");
  return { ...account, canAct: hasRole(user, "clerk"), isAdmin: hasRole(user, "admin"), formKey: newFormKey() };
}

const intents = [
  "call",
  "note",
  "promise",
  "promise_cancel",
  "reminder",
  "snooze",
  "unsnooze",
  "escalate",
  "hold_place",
  "hold_lift",
  "write_off",
  "task_add",
  "task_done",
  "task_cancel",
] as const;
type Intent = (typeof intents)[number];
const intentSchema = z.object({ intent: z.enum(intents, { message: "Choose an action" }) });

/** An optional date field: empty means none. */
const optionalDate = (label: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => v || null)
    .pipe(isoDateSchema(label).nullable());
const promiseFields = (currency: string) => ({ amount: amountSchema(currency, "Promised amount"), promisedOn: isoDateSchema("Promised date") });

const schemas = (currency: string) => ({
  call: z.object({ outcome: z.enum(callOutcomes, { message: "Choose how the call went" }), note: optionalText("Note", NOTE_MAX), followUpOn: optionalDate("Follow-up date") }),
  callPromise: z.object(promiseFields(currency)),
  note: z.object({ body: requiredText("Note", NOTE_MAX) }),
  promise: z.object({ ...promiseFields(currency), note: optionalText("Note", NOTE_MAX) }),
  promise_cancel: z.object({ promiseId: z.uuid({ message: "Choose a promise" }), note: requiredText("Reason") }),
  reminder: z.object({ tone: z.enum(reminderTones, { message: "Choose which reminder to send" }) }),
  snooze: z.object({ until: isoDateSchema("Snooze until"), reason: requiredText("Reason") }),
  escalate: z.object({ agency: requiredText("Agency", 120), note: optionalText("Note", NOTE_MAX) }),
  hold_place: z.object({ reason: requiredText("Reason") }),
  hold_lift: z.object({ note: requiredText("Reason") }),
  write_off: z.object({ invoiceId: z.uuid({ message: "Choose the invoice" }), amount: amountSchema(currency, "Amount to write off"), reason: requiredText("Reason"), idempotencyKey: idempotencyKeySchema }),
  task_add: z.object({ title: requiredText("Task", 200), dueOn: isoDateSchema("Due date"), kind: z.enum(manualTaskKinds, { message: "Choose what kind of task it is" }) }),
  task_finish: z.object({ taskId: z.uuid({ message: "Choose a task" }), outcome: optionalText("Outcome") }),
});

type Outcome = { ok: false; intent: Intent | null; target: string | null; errors: FieldErrors; message: string | null };
const failed = (intent: Intent | null, errors: FieldErrors, status = 400, message: string | null = null, target: string | null = null) =>
  data<Outcome>({ ok: false, intent, target, errors, message: message ?? errors.form ?? null }, { status });

export async function action({ request, params }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const customer = await collectionsCustomer(customerIdOf(params));
  invariantResponse(customer, "Customer not found");
  const actor = { type: "staff" as const, id: user.id, label: user.email };
  const form = await request.formData();
  const chosen = parseForm(intentSchema, form);
  if (!chosen.ok) return failed(null, chosen.errors, 400, chosen.errors.intent ?? null);
  const intent = chosen.data.intent;
  const s = schemas(customer.currency);
  const customerId = customer.id;
  const target = (name: string) => (typeof form.get(name) === "string" ? (form.get(name) as string) : null);

  /** Parses the form with `schema`, runs the domain call, and answers a 4xx naming the field, or the page again with `done`. */
  async function run<T extends z.ZodType>(schema: T, call: (fields: z.infer<T>) => Promise<string>, targetField?: string) {
    const parsed = parseForm(schema, form);
    const targetId = targetField ? target(targetField) : null;
    if (!parsed.ok) return failed(intent, parsed.errors, 400, null, targetId);
    const result = await runDomain(() => call(parsed.data));
    if (!result.ok) return failed(intent, result.response.data.errors, result.response.init?.status ?? 422, result.response.data.message, targetId);
    throw redirect(`/staff/collections/${customerId}?done=${result.value}`);
  }

  switch (intent) {
    case "call": {
      // The promise's fields count only when the outcome is a promise.
      const promised = form.get("outcome") === "promised";
      const schema = promised ? s.call.extend(s.callPromise.shape) : s.call;
      return run(schema, async (f) => {
        const fields = f as z.infer<typeof s.call> & Partial<z.infer<typeof s.callPromise>>;
        const promise = promised ? { amountMinor: fields.amount!, promisedOn: fields.promisedOn! } : null;
        await logCall({ customerId, outcome: fields.outcome, note: fields.note, promise, followUpOn: fields.followUpOn }, actor);
        return promised ? "call_promise" : "call";
      });
    }
    case "note":
      return run(s.note, async (f) => (await addNote({ customerId, body: f.body }, actor), "note"));
    case "promise":
      return run(s.promise, async (f) => (await addPromise({ customerId, amountMinor: f.amount, promisedOn: f.promisedOn, note: f.note }, actor), "promise"));
    case "promise_cancel":
      return run(s.promise_cancel, async (f) => (await cancelPromise({ customerId, promiseId: f.promiseId, note: f.note }, actor), "promise_cancel"), "promiseId");
    case "reminder":
      return run(s.reminder, async (f) => (await sendReminder({ customerId, tone: f.tone }, actor), "reminder"));
    case "snooze":
      return run(s.snooze, async (f) => (await snooze({ customerId, until: f.until, reason: f.reason }, actor), "snooze"));
    case "unsnooze":
      return run(z.object({}), async () => (await unsnooze({ customerId }, actor), "unsnooze"));
    case "escalate":
      return run(s.escalate, async (f) => (await escalate({ customerId, agency: f.agency, note: f.note }, actor), "escalate"));
    case "hold_place":
      return run(s.hold_place, async (f) => (await placeHold({ customerId, reason: f.reason }, actor), "hold_place"));
    case "hold_lift":
      return run(s.hold_lift, async (f) => (await liftHold({ customerId, note: f.note }, actor), "hold_lift"));
    case "write_off":
      return run(
        s.write_off,
        async (f) => {
          const outcome = await requestAccountWriteOff({ customerId, invoiceId: f.invoiceId, amountMinor: f.amount, reason: f.reason, idempotencyKey: f.idempotencyKey }, { ...actor, role: user.role });
          return outcome.outcome === "written_off" ? "write_off" : "write_off_pending";
        },
        "invoiceId",
      );
    case "task_add":
      return run(s.task_add, async (f) => (await addTask({ customerId, title: f.title, dueOn: f.dueOn, kind: f.kind }, actor), "task_add"));
    case "task_done":
    case "task_cancel":
      return run(s.task_finish, async (f) => (await finishTask({ customerId, taskId: f.taskId, outcome: f.outcome, cancel: intent === "task_cancel" }, actor), intent), "taskId");
  }
}

const doneMessages: Record<string, string> = {
  call: "Call logged.",
  call_promise: "Call logged, with the promise to pay.",
  note: "Note added.",
  promise: "Promise to pay recorded. Reminders pause for that amount until the date.",
  promise_cancel: "Promise canceled.",
  reminder: "Reminder queued; it goes out with the next email delivery.",
  snooze: "Account snoozed.",
  unsnooze: "Snooze ended.",
  escalate: "Escalated. Download the open items for the agency from the Escalation section.",
  hold_place: "Credit hold placed.",
  hold_lift: "Credit hold lifted.",
  write_off: "Written off.",
  write_off_pending: "The write-off is waiting for an admin's approval.",
  task_add: "Task added.",
  task_done: "Task done.",
  task_cancel: "Task canceled.",
};

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

/** Ids of the forms the single-key shortcuts jump to. */
const shortcutForms: Record<string, string> = { c: "log-call", n: "add-note", p: "promise-to-pay", r: "send-reminder" };

function focusFirstField(formId: string) {
  const form = document.getElementById(formId);
  const field = form?.querySelector<HTMLElement>("select, textarea, input:not([type=hidden])");
  field?.focus();
}

export default function CollectionsAccountPage() {
  const loaded = useLoaderData<typeof loader>();
  const { customer, account, holds, totals, openInvoices, tasks, promises, timeline, canAct } = loaded;
  const actionData = useActionData<typeof action>() as Outcome | undefined;
  const [params] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const { prev, next, position, total } = useWorklistNeighbours(customer.id);
  const done = doneMessages[params.get("done") ?? ""] ?? null;
  const confirmation = useRef<HTMLDivElement>(null);
  const nextLink = useRef<HTMLAnchorElement>(null);
  const focusedFor = useRef<string | null>(null);
  const { currency } = customer;

  // The account in view is the one in the address bar: a key pressed while the page is still
  // changing over from the account before moves on from the new one.
  const go = (offset: 1 | -1) => {
    const current = window.location.pathname.split("/").pop() ?? customer.id;
    const entry = worklistNeighbour(current, offset);
    if (entry) navigate(`/staff/collections/${entry.id}`);
  };
  useShortcuts({
    ...(canAct ? Object.fromEntries(Object.entries(shortcutForms).map(([key, id]) => [key, () => focusFirstField(id)])) : {}),
    "]": () => go(1),
    J: () => go(1),
    "[": () => go(-1),
    K: () => go(-1),
    u: () => navigate("/staff/collections"),
  }, { escapeLeavesFields: true });

  // After an action the clerk's next move is usually the next account: focus lands on that link
  // (inside the confirmation, which a screen reader announces), or on the confirmation itself.
  useEffect(() => {
    if (!done || focusedFor.current === location.key) return;
    focusedFor.current = location.key;
    (nextLink.current ?? confirmation.current)?.focus();
  }, [done, location.key, next]);

  // A failed form: the first field it names gets the focus.
  useEffect(() => {
    if (!actionData || actionData.ok) return;
    const invalid = document.querySelector<HTMLElement>("[aria-invalid=true]");
    invalid?.focus();
  }, [actionData]);

  const errorsFor = (intent: Intent, targetId?: string): FieldErrors =>
    actionData && actionData.intent === intent && (targetId === undefined || actionData.target === targetId) ? actionData.errors : {};
  // A message already shown beside its field is not repeated above the form.
  const messageFor = (intent: Intent, targetId?: string) => {
    const f = actionData && actionData.intent === intent && (targetId === undefined || actionData.target === targetId) ? actionData : null;
    return f?.message && !Object.values(f.errors).includes(f.message) ? f.message : null;
  };

  return (
    <div className="customer-page collections-account">
      <header className="page-header customer-header">
        <div>
          <p className="muted">
            <Link to="/staff/collections">Collections</Link> / {customer.accountNumber}
          </p>
          <h1>{customer.name}</h1>
          <p className="badges">
            <span className="account-number">{customer.accountNumber}</span>
            <StageBadge stage={account.stage} />
            {customer.creditHold ? <span className="badge danger">Credit hold</span> : null}
            {account.snoozedUntil ? <span className="badge">Snoozed until {formatDate(account.snoozedUntil)}</span> : null}
            {account.agency ? <span className="badge danger">With {account.agency}</span> : null}
            <span className="badge">{currency}</span>
          </p>
        </div>
        <nav className="queue-nav" aria-label="Worklist">
          {position !== null ? (
            <span className="muted">
              Account {position} of {total}
            </span>
          ) : null}
          {prev ? (
            <Link className="button secondary small" to={`/staff/collections/${prev.id}`}>
              Previous <Kbd>[</Kbd>
            </Link>
          ) : null}
          {next ? (
            <Link className="button small" to={`/staff/collections/${next.id}`}>
              Next: {next.name} <Kbd>]</Kbd>
            </Link>
          ) : null}
          <Link className="button secondary small" to="/staff/collections">
            Worklist <Kbd>u</Kbd>
          </Link>
          <Link className="button secondary small" to={`/staff/customers/${customer.id}`}>
            Customer page
          </Link>
        </nav>
      </header>

      {done ? (
        <div className="alert ok confirmation" role="status" tabIndex={-1} ref={confirmation}>
          {done}{" "}
          {next ? (
            <Link to={`/staff/collections/${next.id}`} ref={nextLink}>
              On to {next.name} <Kbd>]</Kbd>
            </Link>
          ) : null}
        </div>
      ) : null}
      <FormAlert message={actionData && !actionData.ok && actionData.intent === null ? actionData.message : null} />

      <Figures loaded={loaded} />

      <div className="two-col">
        <div>
          <section className="card" aria-labelledby="standing-heading">
            <h2 id="standing-heading">Standing</h2>
            <dl className="details">
              <dt>Score</dt>
              <dd>
                <strong>{account.score}</strong>
                {account.scoredAt ? <span className="muted small"> as of {formatDateTime(account.scoredAt)}</span> : null}
                <ScoreReasons reasons={account.scoreReasons} />
              </dd>
              <dt>Phone</dt>
              <dd>{customer.phone ? <a href={`tel:${customer.phone.replace(/[^+\d]/g, "")}`}>{customer.phone}</a> : "—"}</dd>
              <dt>Email</dt>
              <dd className="break">{customer.email ? <a href={`mailto:${customer.email}`}>{customer.email}</a> : "—"}</dd>
              <dt>Time zone</dt>
              <dd>
                {customer.timeZone} <span className="muted small">(their today: {formatDate(loaded.asOf)})</span>
              </dd>
              <dt>Collector</dt>
              <dd>{customer.collectorName ?? "Unassigned"}</dd>
              <dt>Credit limit</dt>
              <dd>{customer.creditLimitMinor === null ? "None" : <Money minor={customer.creditLimitMinor} currency={currency} />}</dd>
              <dt>Credit hold</dt>
              <dd>
                {holds.length === 0 ? (
                  customer.creditHold ? (
                    "On hold"
                  ) : (
                    "No"
                  )
                ) : (
                  <ul className="reasons">
                    {holds.map((hold) => (
                      <li key={hold.id}>
                        {hold.reason} <span className="muted small">({hold.source === "policy" ? "by the dunning policy" : "by hand"}, {formatDate(hold.placedAt)})</span>
                      </li>
                    ))}
                  </ul>
                )}
              </dd>
              {account.snoozedUntil ? (
                <>
                  <dt>Snoozed</dt>
                  <dd>
                    Until {formatDate(account.snoozedUntil)}
                    {account.snoozeReason ? `: ${account.snoozeReason}` : ""}
                  </dd>
                </>
              ) : null}
              {account.escalatedAt ? (
                <>
                  <dt>Escalated</dt>
                  <dd>
                    To {account.agency ?? "an agency"} on {formatDate(account.escalatedAt)} ·{" "}
                    <a href={`/staff/collections/${customer.id}/agency.csv`} download>
                      Open items (CSV)
                    </a>
                  </dd>
                </>
              ) : null}
              <dt>Last contact</dt>
              <dd>{account.lastContactAt ? formatDateTime(account.lastContactAt) : "None logged"}</dd>
            </dl>
          </section>

          <OpenItems loaded={loaded} />

          <section className="card" aria-labelledby="promises-heading">
            <h2 id="promises-heading">Promises to pay</h2>
            {promises.length === 0 ? (
              <p className="muted">No promises yet.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">By</th>
                      <th scope="col" className="num">
                        Amount
                      </th>
                      <th scope="col">Status</th>
                      <th scope="col">Made</th>
                      {canAct ? <th scope="col">{""}</th> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {promises.map((promise) => (
                      <tr key={promise.id}>
                        <td className="nowrap">{formatDate(promise.promisedOn)}</td>
                        <td className="num">
                          <Money minor={promise.amountMinor} currency={promise.currency} />
                          {promise.receivedMinor !== null && promise.status !== "open" ? (
                            <div className="muted small">
                              <Money minor={promise.receivedMinor} currency={promise.currency} /> came in
                            </div>
                          ) : null}
                        </td>
                        <td>
                          <PromiseStatusBadge status={promise.status} />
                        </td>
                        <td>
                          {formatDate(promise.madeOn)} <span className="muted small">{promise.source === "portal" ? "in the portal" : "by staff"}</span>
                          {promise.note ? <div className="muted small">{promise.note}</div> : null}
                        </td>
                        {canAct ? (
                          <td>
                            {promise.status === "open" ? (
                              <Disclosure title="Cancel" open={Boolean(messageFor("promise_cancel", promise.id) || Object.keys(errorsFor("promise_cancel", promise.id)).length)}>
                                <Form method="post" noValidate>
                                  <input type="hidden" name="promiseId" value={promise.id} />
                                  <FormAlert message={messageFor("promise_cancel", promise.id)} />
                                  <Field label="Why cancel it?" name="note" autoComplete="off" required error={errorsFor("promise_cancel", promise.id).note} />
                                  <SubmitButton className="button secondary small" name="intent" value="promise_cancel">
                                    Cancel promise
                                  </SubmitButton>
                                </Form>
                              </Disclosure>
                            ) : null}
                          </td>
                        ) : null}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>

          <section className="card" aria-labelledby="tasks-heading">
            <h2 id="tasks-heading">Open tasks</h2>
            {tasks.length === 0 ? (
              <p className="muted">No open tasks.</p>
            ) : (
              <ul className="task-list">
                {tasks.map((task) => (
                  <li key={task.id}>
                    <div>
                      <span className="badge">{taskKindLabels[task.kind]}</span> <strong>{task.title}</strong>
                      <div className={task.overdue ? "text-danger small" : "muted small"}>
                        Due {task.dueToday ? "today" : formatDate(task.dueOn)}
                        {task.overdue ? " (late)" : ""} · {task.assigneeName ?? "Unassigned"}
                      </div>
                    </div>
                    {canAct ? (
                      <Form method="post" noValidate className="task-actions">
                        <input type="hidden" name="taskId" value={task.id} />
                        <FormAlert message={messageFor("task_done", task.id) ?? messageFor("task_cancel", task.id)} />
                        <Field
                          label="Outcome (optional)"
                          name="outcome"
                          autoComplete="off"
                          error={errorsFor("task_done", task.id).outcome ?? errorsFor("task_cancel", task.id).outcome ?? errorsFor("task_done", task.id).taskId}
                        />
                        <div className="actions">
                          <SubmitButton className="button secondary small" name="intent" value="task_done">
                            Done
                          </SubmitButton>
                          <SubmitButton className="button link small" name="intent" value="task_cancel">
                            Cancel task
                          </SubmitButton>
                        </div>
                      </Form>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
          </section>

          <Timeline timeline={timeline} currency={currency} />
        </div>

        <div key={location.key}>
          {canAct ? (
            <ActionForms loaded={loaded} errorsFor={errorsFor} messageFor={messageFor} />
          ) : (
            <section className="card">
              <h2>Actions</h2>
              <p className="muted">Logging calls, promises and other actions needs the clerk role.</p>
            </section>
          )}
          <section className="card keyboard-help" aria-labelledby="keys-heading">
            <h2 id="keys-heading">Keyboard</h2>
            <dl className="details">
              {canAct ? (
                <>
                  <dt>
                    <Kbd>c</Kbd> <Kbd>n</Kbd> <Kbd>p</Kbd> <Kbd>r</Kbd>
                  </dt>
                  <dd>Log a call, write a note, record a promise, send a reminder</dd>
                </>
              ) : null}
              <dt>
                <Kbd>]</Kbd> or <Kbd>J</Kbd>
              </dt>
              <dd>Next account in the worklist</dd>
              <dt>
                <Kbd>[</Kbd> or <Kbd>K</Kbd>
              </dt>
              <dd>Previous account</dd>
              <dt>
                <Kbd>u</Kbd>
              </dt>
              <dd>Back to the worklist</dd>
            </dl>
            <p className="muted small">The keys work when the focus is not in a field; Esc leaves a field.</p>
          </section>
        </div>
      </div>
    </div>
  );
}

function Figures({ loaded }: { loaded: Loaded }) {
  const { totals, customer } = loaded;
  const { currency } = customer;
  const stat = (label: string, minor: number, note: ReactNode, danger = false) => (
    <div className={`stat${danger ? " stat-danger" : ""}`}>
      <div className="label">{label}</div>
      <div className="value">
        <Money minor={minor} currency={currency} />
      </div>
      <div className="muted small">{note}</div>
    </div>
  );
  return (
    <div className="grid customer-stats">
      {stat("Overdue", totals.overdueMinor, totals.oldestOverdueDays > 0 ? `Oldest ${totals.oldestOverdueDays} days past due` : "Nothing past due", totals.overdueMinor > 0)}
      {stat("Open", totals.openMinor, "On all open invoices")}
      {stat("Collectible", totals.collectibleMinor, "Less disputed and planned amounts")}
      {stat("Disputed", totals.disputedMinor, "Held until the disputes close")}
      {stat("In a plan", totals.plannedMinor, "Covered by a plan in good standing")}
      {stat("Promised", totals.promisedMinor, "Open promises to pay")}
    </div>
  );
}

function OpenItems({ loaded }: { loaded: Loaded }) {
  const { openInvoices, customer } = loaded;
  const { currency } = customer;
  return (
    <section className="card" aria-labelledby="open-heading">
      <div className="card-head">
        <h2 id="open-heading">Open items</h2>
        <Link to={`/staff/invoices?customerId=${customer.id}`}>All invoices</Link>
      </div>
      {openInvoices.length === 0 ? (
        <p className="muted">Nothing is open on this account.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Invoice</th>
                <th scope="col">Due</th>
                <th scope="col" className="num">
                  Days late
                </th>
                <th scope="col" className="num">
                  Open
                </th>
                <th scope="col" className="num">
                  Disputed
                </th>
                <th scope="col" className="num">
                  In a plan
                </th>
                <th scope="col" className="num">
                  Collectible
                </th>
              </tr>
            </thead>
            <tbody>
              {openInvoices.map((invoice) => (
                <tr key={invoice.id}>
                  <td className="nowrap">
                    <Link to={`/staff/invoices/${invoice.id}`}>{invoice.number}</Link>
                    {invoice.pendingWriteOffMinor !== null ? (
                      <div className="small muted">
                        Write-off of <Money minor={invoice.pendingWriteOffMinor} currency={currency} /> awaits approval
                      </div>
                    ) : null}
                  </td>
                  <td className="nowrap">{formatDate(invoice.dueDate)}</td>
                  <td className={`num${invoice.overdue ? " text-danger" : ""}`}>{invoice.overdue ? invoice.daysOverdue : "—"}</td>
                  <td className="num">
                    <Money minor={invoice.openMinor} currency={currency} />
                  </td>
                  <td className="num">{invoice.disputedMinor > 0 ? <Money minor={invoice.disputedMinor} currency={currency} /> : "—"}</td>
                  <td className="num">{invoice.plannedMinor > 0 ? <Money minor={invoice.plannedMinor} currency={currency} /> : "—"}</td>
                  <td className="num">
                    <Money minor={invoice.collectibleMinor} currency={currency} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

type ErrorsFor = (intent: Intent, targetId?: string) => FieldErrors;
type MessageFor = (intent: Intent, targetId?: string) => string | null;

function ActionForms({ loaded, errorsFor, messageFor }: { loaded: Loaded; errorsFor: ErrorsFor; messageFor: MessageFor }) {
  const { customer, account, totals, asOf, openInvoices, formKey, writeOffThresholdMinor, isAdmin } = loaded;
  const { currency } = customer;
  const [outcome, setOutcome] = useState<string>("reached");
  const call = errorsFor("call");
  const promisable = formatMoney(totals.promisableMinor, currency);
  const promiseHint = `Up to ${promisable}, the balance not yet promised or disputed`;
  const lastPromiseDay = addDays(asOf, 90);
  const anyError = (intent: Intent) => Boolean(messageFor(intent) || Object.keys(errorsFor(intent)).length);
  return (
    <>
      <section className="card" aria-labelledby="call-heading">
        <h2 id="call-heading">
          Log a call <Kbd hidden>c</Kbd>
        </h2>
        <Form method="post" noValidate id="log-call">
          <input type="hidden" name="intent" value="call" />
          <FormAlert message={messageFor("call")} />
          <SelectField label="Outcome" name="outcome" value={outcome} onChange={(e) => setOutcome(e.currentTarget.value)} error={call.outcome}>
            {callOutcomes.map((o) => (
              <option key={o} value={o}>
                {callOutcomeLabels[o]}
              </option>
            ))}
          </SelectField>
          {outcome === "promised" ? (
            <fieldset className="inline-fieldset">
              <legend>The promise</legend>
              <Field label={`Amount (${currency})`} name="amount" inputMode="decimal" autoComplete="off" required error={call.amount} hint={promiseHint} />
              <Field label="Pay by" name="promisedOn" type="date" min={asOf} max={lastPromiseDay} required error={call.promisedOn} />
            </fieldset>
          ) : null}
          <TextAreaField label="Note" name="note" rows={3} maxLength={NOTE_MAX} error={call.note} />
          <Field label="Follow up on (optional)" name="followUpOn" type="date" min={asOf} error={call.followUpOn} hint="Opens a follow-up task for that day" />
          <SubmitButton name="intent" value="call">
            Log call
          </SubmitButton>
        </Form>
      </section>

      <section className="card" aria-labelledby="note-heading">
        <h2 id="note-heading">
          Note <Kbd hidden>n</Kbd>
        </h2>
        <Form method="post" noValidate id="add-note">
          <FormAlert message={messageFor("note")} />
          <TextAreaField label="Note" name="body" rows={3} maxLength={NOTE_MAX} required error={errorsFor("note").body} />
          <SubmitButton name="intent" value="note">
            Add note
          </SubmitButton>
        </Form>
      </section>

      <section className="card" aria-labelledby="promise-heading">
        <h2 id="promise-heading">
          Promise to pay <Kbd hidden>p</Kbd>
        </h2>
        <Form method="post" noValidate id="promise-to-pay">
          <FormAlert message={messageFor("promise")} />
          <Field label={`Amount (${currency})`} name="amount" inputMode="decimal" autoComplete="off" required error={errorsFor("promise").amount} hint={promiseHint} />
          <Field label="Pay by" name="promisedOn" type="date" min={asOf} max={lastPromiseDay} required error={errorsFor("promise").promisedOn} hint="From today to 90 days on" />
          <Field label="Note (optional)" name="note" autoComplete="off" error={errorsFor("promise").note} />
          <SubmitButton name="intent" value="promise">
            Record promise
          </SubmitButton>
        </Form>
      </section>

      <section className="card" aria-labelledby="reminder-heading">
        <h2 id="reminder-heading">
          Send a reminder <Kbd hidden>r</Kbd>
        </h2>
        <Form method="post" noValidate id="send-reminder">
          <FormAlert message={messageFor("reminder")} />
          <SelectField label="Which email" name="tone" defaultValue="reminder" error={errorsFor("reminder").tone} hint="Lists every overdue invoice with a pay link; one of each a day">
            {reminderTones.map((tone) => (
              <option key={tone} value={tone}>
                {toneLabels[tone]}
              </option>
            ))}
          </SelectField>
          <SubmitButton name="intent" value="reminder">
            Send now
          </SubmitButton>
        </Form>
      </section>

      <section className="card" aria-labelledby="more-heading">
        <h2 id="more-heading">More actions</h2>

        <Disclosure title={account.snoozedUntil ? `Snoozed until ${formatDate(account.snoozedUntil)}` : "Snooze"} open={anyError("snooze") || anyError("unsnooze")}>
          <Form method="post" noValidate>
            <FormAlert message={messageFor("snooze") ?? messageFor("unsnooze")} />
            <p>Takes the account off the worklist and pauses its dunning steps until the day.</p>
            <Field label="Snooze until" name="until" type="date" min={addDays(asOf, 1)} max={addDays(asOf, 90)} required error={errorsFor("snooze").until} hint="Up to 90 days" />
            <Field label="Reason" name="reason" autoComplete="off" required error={errorsFor("snooze").reason} />
            <div className="actions">
              <SubmitButton className="button secondary small" name="intent" value="snooze">
                Snooze
              </SubmitButton>
              {account.snoozedUntil ? (
                <SubmitButton className="button link small" name="intent" value="unsnooze">
                  End the snooze
                </SubmitButton>
              ) : null}
            </div>
          </Form>
        </Disclosure>

        <Disclosure title={account.agency ? `Escalated to ${account.agency}` : "Escalate to an agency"} open={anyError("escalate")}>
          <Form method="post" noValidate>
            <FormAlert message={messageFor("escalate")} />
            <Field label="Agency" name="agency" autoComplete="off" required defaultValue={account.agency ?? ""} error={errorsFor("escalate").agency} />
            <Field label="Note (optional)" name="note" autoComplete="off" error={errorsFor("escalate").note} />
            <SubmitButton className="button danger small" name="intent" value="escalate">
              Escalate
            </SubmitButton>
          </Form>
          <p className="small">
            <a href={`/staff/collections/${customer.id}/agency.csv`} download>
              Download the open items for the agency (CSV)
            </a>
          </p>
        </Disclosure>

        <Disclosure title={customer.creditHold ? "Lift the credit hold" : "Place a credit hold"} open={anyError("hold_place") || anyError("hold_lift")}>
          {customer.creditHold ? (
            <Form method="post" noValidate>
              <FormAlert message={messageFor("hold_lift")} />
              <p>Lifts every hold on the account; the order system may ship again.</p>
              <Field label="Why lift it?" name="note" autoComplete="off" required error={errorsFor("hold_lift").note} />
              <SubmitButton className="button secondary small" name="intent" value="hold_lift">
                Lift hold
              </SubmitButton>
            </Form>
          ) : (
            <Form method="post" noValidate>
              <FormAlert message={messageFor("hold_place")} />
              <p>The order system is told not to ship on credit (GET /api/v1/customers/&lt;id&gt;/credit).</p>
              <Field label="Reason" name="reason" autoComplete="off" required error={errorsFor("hold_place").reason} />
              <SubmitButton className="button danger small" name="intent" value="hold_place">
                Place hold
              </SubmitButton>
            </Form>
          )}
        </Disclosure>

        <Disclosure title="Payment plan" open={false}>
          <p>Propose a plan on the customer's behalf; within the plan policy it is approved at once.</p>
          <Link className="button secondary small" to={`/staff/plans/new?customerId=${customer.id}`}>
            Propose a plan
          </Link>
        </Disclosure>

        {openInvoices.length > 0 ? (
          <WriteOffForm
            invoices={openInvoices}
            currency={currency}
            thresholdMinor={writeOffThresholdMinor}
            isAdmin={isAdmin}
            formKey={formKey}
            errors={errorsFor("write_off")}
            message={messageFor("write_off")}
          />
        ) : null}

        <Disclosure title="Add a task" open={anyError("task_add")}>
          <Form method="post" noValidate>
            <FormAlert message={messageFor("task_add")} />
            <Field label="Task" name="title" autoComplete="off" required error={errorsFor("task_add").title} />
            <SelectField label="Kind" name="kind" defaultValue="follow_up" error={errorsFor("task_add").kind}>
              {manualTaskKinds.map((kind) => (
                <option key={kind} value={kind}>
                  {taskKindLabels[kind]}
                </option>
              ))}
            </SelectField>
            <Field label="Due" name="dueOn" type="date" min={asOf} defaultValue={asOf} required error={errorsFor("task_add").dueOn} />
            <SubmitButton className="button secondary small" name="intent" value="task_add">
              Add task
            </SubmitButton>
          </Form>
        </Disclosure>
      </section>
    </>
  );
}

function WriteOffForm({
  invoices,
  currency,
  thresholdMinor,
  isAdmin,
  formKey,
  errors,
  message,
}: {
  invoices: Loaded["openInvoices"];
  currency: string;
  thresholdMinor: number;
  isAdmin: boolean;
  formKey: string;
  errors: FieldErrors;
  message: string | null;
}) {
  const [invoiceId, setInvoiceId] = useState(invoices[0]!.id);
  const chosen = invoices.find((i) => i.id === invoiceId) ?? invoices[0]!;
  const threshold = formatMoney(thresholdMinor, currency);
  const hint = isAdmin ? "As an admin, your write-off takes effect at once." : `Up to ${threshold} takes effect at once; more waits for an admin's approval.`;
  return (
    <Disclosure title="Request a write-off" open={Boolean(message || Object.keys(errors).length)}>
      <Form method="post" noValidate>
        <input type="hidden" name="idempotencyKey" value={formKey} />
        <FormAlert message={message} />
        <SelectField label="Invoice" name="invoiceId" value={invoiceId} onChange={(e) => setInvoiceId(e.currentTarget.value)} error={errors.invoiceId}>
          {invoices.map((invoice) => (
            <option key={invoice.id} value={invoice.id}>
              {invoice.number} · {formatMoney(invoice.openMinor, currency)} open
            </option>
          ))}
        </SelectField>
        <Field key={chosen.id} label={`Amount (${currency})`} name="amount" inputMode="decimal" autoComplete="off" defaultValue={toDecimalString(chosen.openMinor, currency)} error={errors.amount} hint={hint} />
        <Field label="Reason" name="reason" autoComplete="off" required error={errors.reason} />
        <SubmitButton className="button danger small" name="intent" value="write_off">
          Request write-off
        </SubmitButton>
      </Form>
    </Disclosure>
  );
}

function Timeline({ timeline, currency }: { timeline: Loaded["timeline"]; currency: string }) {
  return (
    <section className="card" aria-labelledby="timeline-heading">
      <div className="card-head">
        <h2 id="timeline-heading">Contacts and reminders</h2>
      </div>
      {timeline.length === 0 ? (
        <p className="muted">No calls, notes or reminders yet.</p>
      ) : (
        <ol className="timeline">
          {timeline.map((item) => (
            <li key={item.key}>
              <time dateTime={new Date(item.at).toISOString()}>{formatDateTime(item.at)}</time>
              {item.source === "contact" ? (
                <span>
                  <strong>{contactKindLabels[item.kind]}</strong>
                  {item.outcome ? ` · ${callOutcomeLabels[item.outcome]}` : ""}
                  {item.body ? <span className="pre-line">: {item.body}</span> : null}
                  <span className="muted small"> · {item.by ?? "Settle"}</span>
                </span>
              ) : (
                <span>
                  <strong>{dunningActionLabels[item.action] ?? item.action}</strong> on{" "}
                  {item.invoices.map((invoice, i) => (
                    <Fragment key={invoice.id}>
                      {i > 0 ? ", " : null}
                      <Link to={`/staff/invoices/${invoice.id}`}>{invoice.number ?? "an invoice"}</Link>
                    </Fragment>
                  ))}
                  {item.amountMinor !== null ? (
                    <>
                      {" "}
                      · <Money minor={item.amountMinor} currency={item.currency ?? currency} />
                    </>
                  ) : null}
                  <span className="muted small">
                    {" "}
                    · step {item.stepId}
                    {item.period ? ` (period ${item.period})` : ""}, {formatDate(item.takenOn)}: {item.reason}
                  </span>
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Disclosure({ title, open, children }: { title: string; open: boolean; children: ReactNode }) {
  return (
    <details className="action-panel" open={open || undefined}>
      <summary>{title}</summary>
      {children}
    </details>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
