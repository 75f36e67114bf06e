import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Reports · Settle back office" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  return null;
}

const reports = [
  {
    to: "/staff/reports/aging",
    title: "Aging",
    description: "What is open and how late, in buckets you choose, by due or invoice date, as of any past day; by customer, collector, currency or segment, as a page, CSV or PDF.",
  },
  {
    to: "/staff/reports/metrics",
    title: "Metrics",
    description: "DSO, best possible DSO, days delinquent, collection effectiveness, bad debt, disputes, promises, plans and more, each with its definition and its trend.",
  },
  {
    to: "/staff/reports/forecast",
    title: "Cash forecast",
    description: "The next 13 weeks of expected receipts from due dates, plans and promises, weighted by how each customer pays, and how past forecasts turned out.",
  },
  {
    to: "/staff/reports/behaviour",
    title: "Payment behaviour",
    description: "How each customer pays: average days to pay, on-time share, their trend, and the risk grade the worklist and credit control use.",
  },
  {
    to: "/staff/reports/schedules",
    title: "Weekly emails",
    description: "Have any of these reports emailed every week, with its CSV attached (admins set them up).",
  },
];

export default function ReportsIndex() {
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Reports</h1>
          <p>Where the receivables stand, how well they are collected, and what is coming in.</p>
        </div>
      </header>
      <ul className="report-index">
        {reports.map((report) => (
          <li key={report.to} className="card">
            <h2>
              <Link to={report.to} prefetch="intent">
                {report.title}
              </Link>
            </h2>
            <p>{report.description}</p>
          </li>
        ))}
      </ul>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
