import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigate, useSubmit } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { z } from "zod";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { assignCollector, listWorklist, MAX_ASSIGN } from "~/collections/worklist.server";
import { Kbd, ScoreReasons, StageBadge, stageLabels, useShortcuts, WORKLIST_STORAGE_KEY, type CollectionStage } from "~/components/collections-ui";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormAlert } from "~/components/forms";
import { Money } from "~/components/money";
import { Pager } from "~/components/pager";
import { listCollectors } from "~/customers/customers.server";
import { fromZod, runDomain } from "~/utils/action.server";
import { formatDate } from "~/utils/format";

export const meta: MetaFunction = () => [{ title: "Worklist · Collections · Settle back office" }];

// From the shared labels, not the server module: the stage filter renders in the browser too.
const stages = Object.keys(stageLabels) as [CollectionStage, ...CollectionStage[]];

// A filter the URL gets wrong is dropped rather than refused: the list still shows.
const searchSchema = z.object({
  view: z.enum(["all", "mine"]).catch("all").default("all"),
  collector: z.union([z.literal("me"), z.literal("unassigned"), z.uuid()]).optional().catch(undefined),
  stage: z.enum(stages).optional().catch(undefined),
  min: z.coerce.number().int().min(0).max(1_000_000_000_000).optional().catch(undefined),
  age: z.coerce.number().int().min(0).max(3650).optional().catch(undefined),
  q: z.string().trim().max(100).optional().catch(undefined),
  snoozed: z.literal("1").optional().catch(undefined),
  after: z.string().max(400).optional().catch(undefined),
});
type Search = z.infer<typeof searchSchema>;

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const search = searchSchema.parse(Object.fromEntries([...new URL(request.url).searchParams].filter(([, value]) => value !== "")));
  const [page, collectors] = await Promise.all([
    listWorklist({
      staffId: user.id,
      view: search.view,
      collector: search.collector,
      stage: search.stage,
      minOverdue: search.min,
      minAgeDays: search.age,
      q: search.q || undefined,
      showSnoozed: search.snoozed === "1",
      after: search.after,
    }),
    listCollectors(),
  ]);
  return { ...page, collectors, search, canAssign: hasRole(user, "clerk"), isCollector: user.role !== "viewer" };
}

const assignSchema = z.object({
  customerIds: z.array(z.uuid({ message: "Choose accounts from the list" })).min(1, "Choose at least one account").max(MAX_ASSIGN, `Assign at most ${MAX_ASSIGN} accounts at a time`),
  collectorId: z.string({ message: "Choose a collector from the list" }).refine((value) => value === "none" || z.uuid().safeParse(value).success, "Choose a collector from the list"),
});

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const form = await request.formData();
  const parsed = assignSchema.safeParse({ customerIds: form.getAll("customerId"), collectorId: form.get("collectorId") ?? "" });
  if (!parsed.success) return fromZod(parsed.error);
  const { customerIds, collectorId } = parsed.data;
  const result = await runDomain(() => assignCollector({ customerIds, collectorId: collectorId === "none" ? null : collectorId }, { type: "staff", id: user.id, label: user.email }));
  if (!result.ok) return result.response;
  const { changed } = result.value;
  const accounts = `${changed} ${changed === 1 ? "account" : "accounts"}`;
  return { ok: true as const, message: changed === 0 ? "Nothing changed: those accounts already had that collector." : collectorId === "none" ? `Unassigned ${accounts}.` : `Assigned ${accounts}.` };
}

/** The URL of the list with some filters changed (and the page reset unless it is the change). */
function withSearch(search: Search, changes: Partial<Record<keyof Search, string | number | undefined>>) {
  const params = new URLSearchParams();
  const merged: Record<string, unknown> = { ...search, after: undefined, ...changes };
  for (const [key, value] of Object.entries(merged)) {
    if (value === undefined || value === "" || (key === "view" && value === "all")) continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "?";
}

export default function Worklist() {
  const { rows, nextCursor, collectors, search, canAssign, isCollector, asOf } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigate = useNavigate();
  const submit = useSubmit();
  const links = useRef<(HTMLAnchorElement | null)[]>([]);
  const searchBox = useRef<HTMLInputElement>(null);
  const [active, setActive] = useState(-1);
  const mine = search.view === "mine";
  const filtered = Boolean(search.collector || search.stage || search.min || search.age || search.q || search.snoozed);

  // The account page offers "next account" from this page's order.
  useEffect(() => {
    try {
      window.sessionStorage.setItem(WORKLIST_STORAGE_KEY, JSON.stringify(rows.map((r) => ({ id: r.customerId, name: r.name }))));
    } catch {
      // Storage may be off; the page works without it.
    }
    setActive(-1);
  }, [rows]);

  // After an assignment the ticks have done their job.
  useEffect(() => {
    if (!actionData?.ok) return;
    for (const box of document.querySelectorAll<HTMLInputElement>(".worklist-table input[type=checkbox]")) box.checked = false;
  }, [actionData]);

  const focusRow = (index: number) => {
    if (rows.length === 0) return;
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    links.current[next]?.focus();
  };
  useShortcuts({
    j: () => focusRow(active + 1),
    ArrowDown: () => focusRow(active + 1),
    k: () => focusRow(active < 0 ? 0 : active - 1),
    ArrowUp: () => focusRow(active < 0 ? 0 : active - 1),
    "/": () => searchBox.current?.focus(),
    m: () => navigate(withSearch(search, { view: mine ? "all" : "mine" })),
  });

  // Enter on a focused row opens it as any link does; this covers a row chosen while nothing had
  // the focus (after a click on the page, say). Enter on anything else keeps its own meaning.
  useEffect(() => {
    function onEnter(event: KeyboardEvent) {
      if (event.key !== "Enter" || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return;
      const row = rows[active];
      if (!row || (document.activeElement && document.activeElement !== document.body)) return;
      event.preventDefault();
      navigate(`/staff/collections/${row.customerId}`);
    }
    document.addEventListener("keydown", onEnter);
    return () => document.removeEventListener("keydown", onEnter);
  }, [rows, active, navigate]);

  const filledIn = (form: HTMLFormElement) => {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (typeof value === "string" && value.trim() && !(key === "view" && value === "all")) params.set(key, value.trim());
    return params;
  };

  return (
    <div className="worklist">
      <header className="page-header">
        <div>
          <h1>{mine ? "My queue" : "Worklist"}</h1>
          <p>
            {mine
              ? "Your accounts: follow-ups due today or earlier first, then by score."
              : "Every account with a collectible overdue balance, highest score first. The reasons beside each score say why it is where it is."}
          </p>
        </div>
      </header>
      <p className="keyboard-hint muted small-print" aria-label="Keyboard shortcuts">
        Keyboard: <Kbd>j</Kbd>/<Kbd>k</Kbd> move · <Kbd>Enter</Kbd> open · <Kbd>/</Kbd> search · <Kbd>m</Kbd> {mine ? "all accounts" : "my queue"}
      </p>
      <Form
        method="get"
        // Remounted when the URL changes, so the fields show the filters in force (after "m", Back, a link).
        key={JSON.stringify({ ...search, after: undefined })}
        className="filters worklist-filters"
        role="search"
        aria-label="Filter the worklist"
        onChange={(event) => {
          if (event.target instanceof HTMLSelectElement || (event.target instanceof HTMLInputElement && event.target.type === "checkbox")) submit(filledIn(event.currentTarget));
        }}
        onSubmit={(event) => {
          event.preventDefault();
          submit(filledIn(event.currentTarget));
        }}
      >
        <div className="field">
          <label htmlFor="worklist-q">Search</label>
          <input
            id="worklist-q"
            ref={searchBox}
            type="search"
            name="q"
            defaultValue={search.q ?? ""}
            placeholder="Name or account number"
            onKeyDown={(event) => {
              // Escape hands the keys back to the list.
              if (event.key === "Escape") event.currentTarget.blur();
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="worklist-view">View</label>
          <select id="worklist-view" name="view" defaultValue={search.view}>
            <option value="all">All accounts</option>
            {isCollector ? <option value="mine">My queue</option> : null}
          </select>
        </div>
        {mine ? null : (
          <div className="field">
            <label htmlFor="worklist-collector">Collector</label>
            <select id="worklist-collector" name="collector" defaultValue={search.collector ?? ""}>
              <option value="">Anyone</option>
              {isCollector ? <option value="me">Me</option> : null}
              <option value="unassigned">Unassigned</option>
              {collectors.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor="worklist-stage">Stage</label>
          <select id="worklist-stage" name="stage" defaultValue={search.stage ?? ""}>
            <option value="">Any stage</option>
            {stages.map((stage) => (
              <option key={stage} value={stage}>
                {stageLabels[stage]}
              </option>
            ))}
          </select>
        </div>
        <div className="field narrow">
          <label htmlFor="worklist-min">Overdue at least</label>
          <input id="worklist-min" type="number" name="min" min={0} step={1} inputMode="numeric" defaultValue={search.min ?? ""} placeholder="e.g. 1000" />
        </div>
        <div className="field narrow">
          <label htmlFor="worklist-age">Days overdue at least</label>
          <input id="worklist-age" type="number" name="age" min={0} step={1} inputMode="numeric" defaultValue={search.age ?? ""} placeholder="e.g. 30" />
        </div>
        <div className="field checkbox-field">
          <label>
            <input type="checkbox" name="snoozed" value="1" defaultChecked={search.snoozed === "1"} /> Show snoozed
          </label>
        </div>
        <button type="submit" className="button secondary">
          Apply
        </button>
        {filtered ? (
          <Link to={withSearch({ view: search.view }, {})} className="button link">
            Clear filters
          </Link>
        ) : null}
      </Form>
      <FormAlert tone={actionData?.ok ? "ok" : "error"} message={actionData?.message ?? (actionData && !actionData.ok ? Object.values(actionData.errors)[0] : null)} />
      {canAssign && rows.length > 0 ? (
        <Form method="post" id="worklist-assign" className="bulk-assign">
          <div className="field">
            <label htmlFor="assign-collector">Give the ticked accounts to</label>
            <select id="assign-collector" name="collectorId" defaultValue="" aria-invalid={actionData && !actionData.ok && actionData.errors.collectorId ? true : undefined}>
              <option value="" disabled>
                Choose a collector
              </option>
              {collectors.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
              <option value="none">Nobody (unassign)</option>
            </select>
          </div>
          <button type="submit" className="button secondary">
            Assign
          </button>
        </Form>
      ) : null}
      <div className="card table-wrap worklist-card">
        <table className="worklist-table">
          <thead>
            <tr>
              {canAssign ? (
                <th scope="col" className="pick">
                  <span className="visually-hidden">Pick</span>
                  <input
                    type="checkbox"
                    aria-label="Tick every account on this page"
                    onChange={(event) => {
                      for (const box of document.querySelectorAll<HTMLInputElement>('input[name="customerId"]')) box.checked = event.currentTarget.checked;
                    }}
                  />
                </th>
              ) : null}
              <th scope="col" className="num">
                #
              </th>
              <th scope="col">Customer</th>
              <th scope="col" className="num">
                Overdue
              </th>
              <th scope="col" className="num">
                Oldest
              </th>
              <th scope="col">Stage</th>
              <th scope="col">Score and why</th>
              {/* In my queue every account is mine: the column would only repeat my name. */}
              {mine ? null : <th scope="col">Collector</th>}
              <th scope="col">Follow-up</th>
              <th scope="col">Promise</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={(canAssign ? 10 : 9) - (mine ? 1 : 0)} className="muted empty">
                  {filtered ? "No accounts match these filters." : mine ? "Nothing in your queue: no overdue accounts are yours." : "Nothing overdue to collect."}
                </td>
              </tr>
            ) : (
              rows.map((row, i) => (
                <tr key={row.customerId} className={i === active ? "active" : undefined} data-testid="worklist-row">
                  {canAssign ? (
                    <td className="pick">
                      <input type="checkbox" name="customerId" value={row.customerId} form="worklist-assign" aria-label={`Tick ${row.name}`} />
                    </td>
                  ) : null}
                  <td className="num muted">{row.rank}</td>
                  <td className="account-cell">
                    <Link
                      to={`/staff/collections/${row.customerId}`}
                      ref={(el) => {
                        links.current[i] = el;
                      }}
                      onFocus={() => setActive(i)}
                      className="account-link"
                    >
                      {row.name}
                    </Link>
                    <div className="muted small-print">
                      {row.accountNumber}
                      {row.onHold ? <span className="badge danger">Credit hold</span> : null}
                      {row.snoozedUntil && row.snoozedUntil > asOf ? <span className="badge">Snoozed to {formatDate(row.snoozedUntil)}</span> : null}
                    </div>
                  </td>
                  <td className="num">
                    <Money minor={row.overdueMinor} currency={row.currency} className="overdue" />
                  </td>
                  <td className="num nowrap">{row.oldestOverdueDays} days</td>
                  <td>
                    <StageBadge stage={row.stage} />
                  </td>
                  <td className="score-cell">
                    <span className="score" aria-label={`Score ${row.score}`}>
                      {row.score}
                    </span>
                    <ScoreReasons reasons={row.reasons} />
                  </td>
                  {mine ? null : <td>{row.collectorName ?? <span className="muted">Unassigned</span>}</td>}
                  <td className="nowrap">
                    {row.nextFollowUpOn ? (
                      <>
                        {formatDate(row.nextFollowUpOn)}
                        {row.followUpDue ? <span className="badge warn">{row.nextFollowUpOn < asOf ? "Late" : "Today"}</span> : null}
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                    {row.openTasks > 0 ? (
                      <div className="muted small-print">
                        {row.openTasks} open {row.openTasks === 1 ? "task" : "tasks"}
                      </div>
                    ) : null}
                  </td>
                  <td className="nowrap">
                    {row.openPromise ? (
                      <>
                        <Money minor={row.openPromise.amountMinor} currency={row.currency} />
                        <div className="muted small-print">by {formatDate(row.openPromise.promisedOn)}</div>
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Pager first={search.after ? withSearch(search, {}) : null} next={nextCursor ? withSearch(search, { after: nextCursor }) : null} />
    </div>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
