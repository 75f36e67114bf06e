import type { MetaFunction } from "@remix-run/react";
import { Link, Outlet, useLocation } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";

// The collections section: its tabs above every page (the worklist, my queue, an account,
// policies, runs, assignment rules). Access is checked by the staff layout and by each page's own
// loader (viewer reads, clerk acts, admin edits policies and rules).

export const meta: MetaFunction = () => [{ title: "Collections · Settle back office" }];

type Tab = { label: string; to: string; current: (path: string, view: string | null) => boolean };

const tabs: Tab[] = [
  // An account page (/staff/collections/<id>) is reached from the worklist: it keeps that tab lit.
  { label: "Worklist", to: "/staff/collections", current: (path, view) => view !== "mine" && !/^\/staff\/collections\/(policies|runs|rules)(\/|$)/.test(path) },
  { label: "My queue", to: "/staff/collections?view=mine", current: (path, view) => path.replace(/\/$/, "") === "/staff/collections" && view === "mine" },
  { label: "Policies", to: "/staff/collections/policies", current: (path) => path.startsWith("/staff/collections/policies") },
  { label: "Runs", to: "/staff/collections/runs", current: (path) => path.startsWith("/staff/collections/runs") },
  { label: "Rules", to: "/staff/collections/rules", current: (path) => path.startsWith("/staff/collections/rules") },
];

function CollectionsTabs() {
  const location = useLocation();
  const view = new URLSearchParams(location.search).get("view");
  return (
    <nav className="tabs collections-tabs" aria-label="Collections">
      {tabs.map((tab) => (
        <Link key={tab.label} to={tab.to} prefetch="intent" aria-current={tab.current(location.pathname, view) ? "page" : undefined}>
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}

export default function CollectionsLayout() {
  return (
    <div className="collections">
      <CollectionsTabs />
      <Outlet />
    </div>
  );
}

export function ErrorBoundary() {
  return (
    <div className="collections">
      <CollectionsTabs />
      <GeneralErrorBoundary />
    </div>
  );
}
