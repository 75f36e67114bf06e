import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireStaff } from "~/auth/staff-auth.server";
import { countCustomers } from "~/customers/customers.server";
import { countOutbox } from "~/email/outbox.server";

export const meta: MetaFunction = () => [{ title: "Overview · Settle back office" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireStaff(request, "viewer");
  const [customers, outbox] = await Promise.all([countCustomers(), countOutbox()]);
  return { name: user.name, customers, outbox };
}

export default function StaffOverview() {
  const { name, customers, outbox } = useLoaderData<typeof loader>();
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Good to see you, {name.split(" ")[0]}</h1>
          <p>The receivables dashboard arrives with reporting; here is what the back office holds today.</p>
        </div>
      </header>
      <div className="grid">
        <Link to="/staff/customers" className="stat" style={{ textDecoration: "none", color: "inherit" }}>
          <div className="label">Customers</div>
          <div className="value">{customers.toLocaleString("en-US")}</div>
        </Link>
        <Link to="/staff/outbox" className="stat" style={{ textDecoration: "none", color: "inherit" }}>
          <div className="label">Emails kept in the outbox</div>
          <div className="value">{outbox.kept.toLocaleString("en-US")}</div>
        </Link>
        <Link to="/staff/outbox" className="stat" style={{ textDecoration: "none", color: "inherit" }}>
          <div className="label">Emails waiting or failed</div>
          <div className="value">{(outbox.pending + outbox.failed).toLocaleString("en-US")}</div>
        </Link>
      </div>
    </>
  );
}
