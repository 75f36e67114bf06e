import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, Outlet, useLoaderData } from "@remix-run/react";
import { NavList, type NavItem } from "~/components/nav";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { hasRole } from "~/auth/roles";
import { requireStaff } from "~/auth/staff-auth.server";
import { isDemoProcessor } from "~/utils/env.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  return {
    user: { name: user.name, email: user.email, role: user.role },
    isAdmin: hasRole(user, "admin"),
    demoProcessor: isDemoProcessor(),
  };
}

function navItems(isAdmin: boolean): NavItem[] {
  return [
    { label: "Overview", to: "/staff", end: true, available: true },
    { label: "Customers", to: "/staff/customers", available: true },
    { label: "Invoices", to: "/staff/invoices", available: true },
    { label: "Payments", to: "/staff/payments", available: true },
    { label: "Credit notes", to: "/staff/credit-notes", available: true },
    { label: "Plans", to: "/staff/plans", available: true },
    { label: "Collections", to: "/staff/collections", available: true },
    { label: "Disputes", to: "/staff/disputes", available: true },
    { label: "Reconciliation", to: "/staff/reconciliation", available: true },
    { label: "Reports", to: "/staff/reports", available: true },
    { label: "Imports", to: "/staff/imports", available: true },
    { label: "Exports", to: "/staff/exports", available: true },
    { label: "Outbox", to: "/staff/outbox", available: true },
    ...(isAdmin
      ? [
          { label: "Approvals", to: "/staff/approvals", available: true },
          { label: "API keys", to: "/staff/api-keys", available: true },
          { label: "Audit log", to: "/staff/audit", available: true },
          { label: "Settings", to: "/staff/settings", available: true },
        ]
      : []),
  ];
}

export default function StaffLayout() {
  const { user, isAdmin, demoProcessor } = useLoaderData<typeof loader>();
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      {demoProcessor ? <div className="demo-banner">Demo mode: payments go through the demo processor; no real money moves.</div> : null}
      <div className="shell">
        <aside className="sidebar">
          <Link to="/staff" className="product">
            Settle
            <small>Back office</small>
          </Link>
          <nav aria-label="Back office">
            <NavList items={navItems(isAdmin)} className="nav" />
          </nav>
          <div className="who">
            <div>
              <strong>{user.name}</strong>
            </div>
            <div className="muted">
              {user.email} · <span data-testid="staff-role">{user.role}</span>
            </div>
            <Form method="post" action="/staff/sign-out" className="inline-form">
              <button type="submit" className="button link">
                Sign out
              </button>
            </Form>
            {" · "}
            <Form method="post" action="/staff/sign-out" className="inline-form">
              <input type="hidden" name="scope" value="everywhere" />
              <button type="submit" className="button link">
                Sign out everywhere
              </button>
            </Form>
          </div>
        </aside>
        <main className="main" id="main">
          <Outlet />
        </main>
      </div>
    </>
  );
}

export function ErrorBoundary() {
  return (
    <main className="main">
      <GeneralErrorBoundary />
    </main>
  );
}
