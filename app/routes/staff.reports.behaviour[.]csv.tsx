import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireStaff } from "~/auth/staff-auth.server";
import { csvResponse } from "~/exports/exports.server";
import { behaviourCsv } from "~/reports/behaviour.server";
import { parseBehaviourSearch } from "~/reports/risk";
import { today } from "~/utils/dates";

/** GET /staff/reports/behaviour.csv: the report with the page's filters and order, every page; a bad option answers 400 naming it. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const { search, errors } = parseBehaviourSearch(new URL(request.url).searchParams);
  const messages = Object.values(errors);
  if (messages.length) throw new Response(messages.join("\n"), { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const { after: _after, ...query } = search;
  return csvResponse(`settle-payment-behaviour-${today()}.csv`, behaviourCsv(query));
}
