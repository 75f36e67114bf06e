import { deleteExpiredSessions } from "~/auth/session.server";
import { deliverDueEmails, transportFromEnv } from "~/email/delivery.server";
import { runDunning } from "~/collections/dunning.server";
import { chargeDueInstalments } from "~/plans/instalments.server";
import { refreshAllScores } from "~/collections/worklist.server";
import { refreshPaymentStats } from "~/reports/behaviour.server";
import { snapshotForecast } from "~/reports/forecast.server";
import { foldLedgerDaily } from "~/reports/ledger-daily.server";
import { sendDueReports } from "~/reports/schedules.server";
import { today } from "~/utils/dates";
import { isDemoProcessor, type Env } from "~/utils/env.server";
import { deliverDemoEvents } from "~webhooks/stripe/demo-delivery.server";
import { retryDueEvents } from "~webhooks/stripe/process.server";

type Job = { name: string; everyMs: number; run: () => Promise<unknown> };

/**
 * In-process periodic jobs. Each is safe on several instances at once (the outbox claims rows
 * with SKIP LOCKED), and a run never overlaps the previous run of the same job.
 */
export function startBackgroundJobs(env: Env) {
  const transport = transportFromEnv(env);
  const jobs: Job[] = [
    { name: "email delivery", everyMs: 3_000, run: () => deliverDueEmails({ transport }) },
    { name: "expired sessions", everyMs: 60 * 60_000, run: () => deleteExpiredSessions() },
    { name: "webhook retries", everyMs: 15_000, run: () => retryDueEvents() },
    { name: "plan instalments", everyMs: 60 * 60_000, run: () => chargeDueInstalments() },
    // Keeps the journal's daily sums' pending rows few; reports read both, so this is only upkeep.
    { name: "ledger daily sums", everyMs: 60_000, run: () => foldLedgerDaily() },
    // Payment behaviour and risk grades move slowly; the worklist's scores pick up new grades at once.
    { name: "payment behaviour", everyMs: 6 * 60 * 60_000, run: () => refreshPaymentStats({ asOf: today() }).then(() => refreshAllScores(today())) },
    // Today's forecast, kept so that next week it can be compared with what came in (replaced if run again the same day).
    { name: "forecast snapshot", everyMs: 60 * 60_000, run: () => snapshotForecast(today()) },
    // Weekly report emails go out on the first tick of their weekday (UTC); each is sent once.
    { name: "scheduled reports", everyMs: 15 * 60_000, run: () => sendDueReports() },
    // Each account is dunned once per local day, from 08:00 its time; a tick with nothing due is a cheap query.
    { name: "dunning", everyMs: 15 * 60_000, run: () => runDunning({ trigger: "schedule" }) },
    // Without Stripe keys, the demo processor delivers its events to our own webhook endpoint.
    ...(isDemoProcessor(env) ? [{ name: "demo processor events", everyMs: 1_000, run: () => deliverDemoEvents() }] : []),
  ];
  const running = new Set<Promise<unknown>>();
  const timers = jobs.map((job) => {
    let busy = false;
    const tick = () => {
      if (busy) return;
      busy = true;
      const run = job
        .run()
        .catch((error) => console.error(`[job] ${job.name} failed:`, error))
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    };
    return [setTimeout(tick, 500), setInterval(tick, job.everyMs)];
  });
  return {
    async stop() {
      timers.flat().forEach(clearTimeout);
      await Promise.allSettled([...running]);
    },
  };
}
