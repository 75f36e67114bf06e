// The account actions' choices and limits, shared by app/collections/actions.server.ts and the
// account page's forms (this module is safe for the browser bundle).

export const callOutcomes = ["reached", "voicemail", "wrong_number", "promised", "disputed", "refused"] as const;
export type CallOutcome = (typeof callOutcomes)[number];

/** Kinds of task a clerk adds by hand (broken-promise and agency tasks are made by Settle). */
export const manualTaskKinds = ["call", "follow_up", "review", "other"] as const;

/** How far ahead a snooze may reach (the same horizon as a promise to pay). */
export const SNOOZE_MAX_DAYS = 90;
/** How far ahead a task or a follow-up may be set. */
export const TASK_MAX_DAYS = 365;
export const NOTE_MAX = 2000;
