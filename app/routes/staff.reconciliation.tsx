import type { MetaFunction } from "@remix-run/react";
import { Outlet } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { ReconciliationTabs } from "~/components/reconciliation-ui";

// The reconciliation section: its tabs above every page. Access is checked by the staff layout
// and by each page's own loader (viewer reads, clerk acts).

export const meta: MetaFunction = () => [{ title: "Reconciliation · Settle back office" }];

export default function ReconciliationLayout() {
  return (
    <div className="reconciliation">
      <ReconciliationTabs />
      <Outlet />
    </div>
  );
}

export function ErrorBoundary() {
  return (
    <div className="reconciliation">
      <ReconciliationTabs />
      <GeneralErrorBoundary />
    </div>
  );
}
