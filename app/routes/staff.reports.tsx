import type { LinksFunction, MetaFunction } from "@remix-run/node";
import { Link, Outlet, useLocation } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import reportStyles from "~/styles/reports.css?url";

// The reports section: its tabs above every report. Access is checked by the staff layout and by
// each report's own loader (every staff role reads reports).

export const links: LinksFunction = () => [{ rel: "stylesheet", href: reportStyles }];

export const meta: MetaFunction = () => [{ title: "Reports · Settle back office" }];

const tabs = [
  { label: "All reports", to: "/staff/reports", end: true },
  { label: "Aging", to: "/staff/reports/aging" },
  { label: "Metrics", to: "/staff/reports/metrics" },
  { label: "Cash forecast", to: "/staff/reports/forecast" },
  { label: "Payment behaviour", to: "/staff/reports/behaviour" },
  { label: "Weekly emails", to: "/staff/reports/schedules" },
];

function ReportTabs() {
  const { pathname } = useLocation();
  const path = pathname.replace(/\/$/, "");
  return (
    <nav className="tabs report-tabs" aria-label="Reports">
      {tabs.map((tab) => (
        <Link key={tab.to} to={tab.to} prefetch="intent" aria-current={(tab.end ? path === tab.to : path === tab.to || path.startsWith(`${tab.to}/`)) ? "page" : undefined}>
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}

export default function ReportsLayout() {
  return (
    <div className="reports">
      <ReportTabs />
      <Outlet />
    </div>
  );
}

export function ErrorBoundary() {
  return (
    <div className="reports">
      <ReportTabs />
      <GeneralErrorBoundary />
    </div>
  );
}
