import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, Outlet, useLoaderData } from "@remix-run/react";
import { requirePortalUser } from "~/auth/portal-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { NavList, type NavItem } from "~/components/nav";
import { getCompanySettings } from "~/settings/settings.server";
import { isDemoProcessor } from "~/utils/env.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, customer } = await requirePortalUser(request);
  const company = await getCompanySettings();
  return {
    user: { name: user.name, email: user.email },
    customer: { name: customer.name, accountNumber: customer.accountNumber },
    companyName: company.companyName,
    demoProcessor: isDemoProcessor(),
  };
}

const navItems: NavItem[] = [
  { label: "Home", to: "/portal", end: true, available: true },
  { label: "Invoices", to: "/portal/invoices", available: true },
  { label: "Statements", to: "/portal/statements", available: true },
  { label: "Payments", to: "/portal/payments", available: true },
  { label: "Payment plans", to: "/portal/plans", available: true },
  { label: "Disputes", to: "/portal/disputes", available: true },
  { label: "Account", to: "/portal/account", available: true },
];

export default function PortalLayout() {
  const { user, customer, companyName, demoProcessor } = useLoaderData<typeof loader>();
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      {demoProcessor ? <div className="demo-banner">Demo mode: payments go through the demo processor; no real money moves.</div> : null}
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/portal" className="brand">
            {companyName}
          </Link>
          <div className="account">
            <strong data-testid="portal-customer-name">{customer.name}</strong>
            {user.name} · Account {customer.accountNumber} ·{" "}
            <Form method="post" action="/portal/sign-out" className="inline-form">
              <button type="submit" className="button link">
                Sign out
              </button>
            </Form>
          </div>
        </div>
        <nav aria-label="Portal">
          <NavList items={navItems} className="portal-nav" />
        </nav>
      </header>
      <main className="portal-main" id="main">
        <Outlet />
      </main>
    </>
  );
}

export function ErrorBoundary() {
  return (
    <main className="portal-main">
      <GeneralErrorBoundary />
    </main>
  );
}
