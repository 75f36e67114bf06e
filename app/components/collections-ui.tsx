import { useEffect, useMemo, useRef, useState } from "react";
import { formatReason, parseReasons } from "~/collections/score";

// Labels and small pieces shared by the collections pages (the worklist and the account page).
// They live here, not in the *.server.ts modules, so the browser bundle can use them.

/** The collection_stage enum's values, in order, for the browser (the worklist's stage filter). */
export const collectionStages = ["none", "upcoming", "reminded", "final_notice", "call", "credit_hold", "agency"] as const;
export type CollectionStage = (typeof collectionStages)[number];
export const stageLabels: Record<CollectionStage, string> = {
  none: "Not started",
  upcoming: "Heads-up sent",
  reminded: "Reminded",
  final_notice: "Final notice",
  call: "To call",
  credit_hold: "Credit hold",
  agency: "With an agency",
};
const stageTones: Partial<Record<CollectionStage, "warn" | "danger" | "brand">> = {
  reminded: "brand",
  final_notice: "warn",
  call: "warn",
  credit_hold: "danger",
  agency: "danger",
};

export function StageBadge({ stage }: { stage: CollectionStage }) {
  return <span className={`badge ${stageTones[stage] ?? ""}`.trim()}>{stageLabels[stage]}</span>;
}

export type CallOutcomeName = "reached" | "voicemail" | "wrong_number" | "promised" | "disputed" | "refused";
export const callOutcomeLabels: Record<CallOutcomeName, string> = {
  reached: "Reached",
  voicemail: "Voicemail",
  wrong_number: "Wrong number",
  promised: "Promised to pay",
  disputed: "Disputes the balance",
  refused: "Refused to pay",
};

export type ContactKindName = "call" | "note" | "email" | "escalation" | "snooze" | "hold";
export const contactKindLabels: Record<ContactKindName, string> = {
  call: "Call",
  note: "Note",
  email: "Reminder",
  escalation: "Escalation",
  snooze: "Snooze",
  hold: "Credit hold",
};

export type TaskKindName = "call" | "follow_up" | "promise_broken" | "review" | "agency" | "other";
export const taskKindLabels: Record<TaskKindName, string> = {
  call: "Call",
  follow_up: "Follow-up",
  promise_broken: "Broken promise",
  review: "Review",
  agency: "Agency",
  other: "Other",
};

export type PromiseStatusName = "open" | "kept" | "broken" | "canceled";
export const promiseStatusLabels: Record<PromiseStatusName, string> = { open: "Open", kept: "Kept", broken: "Broken", canceled: "Canceled" };
const promiseTones: Record<PromiseStatusName, string> = { open: "brand", kept: "ok", broken: "danger", canceled: "" };
export function PromiseStatusBadge({ status }: { status: PromiseStatusName }) {
  return <span className={`badge ${promiseTones[status]}`.trim()}>{promiseStatusLabels[status]}</span>;
}

export const dunningActionLabels: Record<string, string> = {
  email: "Reminder email",
  task: "Task for a clerk",
  late_fee: "Late fee",
  credit_hold: "Credit hold",
  escalate: "Escalation",
};

/** The score's reasons beside it ("$12,400.00 overdue (+28)"), as app/collections/score.ts words them. */
export function ScoreReasons({ reasons }: { reasons: unknown }) {
  const items = parseReasons(reasons);
  if (items.length === 0) return <span className="muted small">No reasons recorded yet</span>;
  return (
    <ul className="reasons">
      {items.map((reason, i) => (
        <li key={i}>{formatReason(reason)}</li>
      ))}
    </ul>
  );
}

/** The queue the worklist page keeps in sessionStorage, so an account page knows the next one. */
export const WORKLIST_STORAGE_KEY = "settle:worklist";
export type WorklistEntry = { id: string; name: string };

export function readWorklist(): WorklistEntry[] {
  try {
    const parsed: unknown = JSON.parse(window.sessionStorage.getItem(WORKLIST_STORAGE_KEY) ?? "[]");
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((e): e is WorklistEntry => Boolean(e) && typeof e.id === "string" && typeof e.name === "string");
  } catch {
    // Storage can be off (private windows, strict settings): then there is no queue to follow.
    return [];
  }
}

/**
 * Where this account sits in the clerk's queue: the previous and next accounts, if any. The queue
 * is read once the page is in the browser; moving between accounts recomputes it at once, so a
 * key pressed right after arriving already goes to the right neighbour.
 */
export function useWorklistNeighbours(customerId: string) {
  const [list, setList] = useState<WorklistEntry[]>([]);
  useEffect(() => setList(readWorklist()), []);
  return useMemo(() => {
    const i = list.findIndex((e) => e.id === customerId);
    return {
      prev: i > 0 ? list[i - 1]! : null,
      // An account opened from elsewhere has no place in the queue; "next" then starts it.
      next: i >= 0 ? (list[i + 1] ?? null) : (list[0] ?? null),
      position: i >= 0 ? i + 1 : null,
      total: list.length,
    };
  }, [list, customerId]);
}

/**
 * The account `offset` places from `customerId` in the queue, read when a key is pressed: the
 * page may not have re-rendered yet after a quick move from the account before.
 */
export function worklistNeighbour(customerId: string, offset: 1 | -1): WorklistEntry | null {
  const list = readWorklist();
  const i = list.findIndex((e) => e.id === customerId);
  if (i < 0) return offset === 1 ? (list[0] ?? null) : null;
  return list[i + offset] ?? null;
}

/** True when a key press belongs to a field (typing), not to the page's shortcuts. */
function typingIn(target: EventTarget | null) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = (target as HTMLInputElement).type;
  return !["button", "submit", "reset", "checkbox", "radio"].includes(type);
}

/**
 * Single-key shortcuts for the page, ignored while the focus is in a field or with a modifier
 * held (so browser and screen-reader keys keep working). Keys are matched on `event.key`. With
 * `escapeLeavesFields`, Esc in a field leaves it, so the keys work again without the mouse.
 */
export function useShortcuts(handlers: Record<string, () => void>, { escapeLeavesFields = false } = {}) {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (escapeLeavesFields && event.key === "Escape" && !event.defaultPrevented && typingIn(event.target)) {
        (event.target as HTMLElement).blur();
        return;
      }
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
      const handler = ref.current[event.key];
      if (!handler) return;
      event.preventDefault();
      handler();
    }
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [escapeLeavesFields]);
}

/** A key as the page shows it; `hidden` keeps it out of an accessible name it only decorates. */
export function Kbd({ children, hidden = false }: { children: string; hidden?: boolean }) {
  return (
    <kbd className="kbd" aria-hidden={hidden || undefined}>
      {children}
    </kbd>
  );
}
