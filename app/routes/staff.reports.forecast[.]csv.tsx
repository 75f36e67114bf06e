import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireStaff } from "~/auth/staff-auth.server";
import { parseForecastSearch } from "~/reports/forecast";
import { forecastCsv, forecastCurrencies } from "~/reports/forecast.server";
import { today } from "~/utils/dates";

/** GET /staff/reports/forecast.csv?currency=USD: the forecast page's figures; a bad currency answers 400 naming it. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const { currency, errors } = parseForecastSearch(new URL(request.url).searchParams, await forecastCurrencies());
  if (errors.currency) throw new Response(errors.currency, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const asOf = today();
  return new Response(await forecastCsv({ asOf, currency }), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="settle-cash-forecast-${currency}-${asOf}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
