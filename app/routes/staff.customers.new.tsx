import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CustomerForm, timeZoneOptions } from "~/customers/customer-form";
import { customerInputSchema } from "~/customers/customer-schema";
import { createCustomer, listCollectors } from "~/customers/customers.server";
import { invalid, runDomain } from "~/utils/action.server";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "New customer · Settle back office" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "clerk");
  return { collectors: await listCollectors(), timeZones: timeZoneOptions() };
}

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const parsed = parseForm(customerInputSchema, await request.formData());
  if (!parsed.ok) return invalid(parsed.errors);
  const result = await runDomain(() => createCustomer(parsed.data, { type: "staff", id: user.id, label: user.email }));
  if (!result.ok) return result.response;
  return redirect(`/staff/customers/${result.value.id}`);
}

export default function NewCustomer() {
  const { collectors, timeZones } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/customers">Customers</Link> / New
          </p>
          <h1>New customer</h1>
          <p>Only the name and currency are required; the rest can follow.</p>
        </div>
      </header>
      <CustomerForm
        values={null}
        errors={actionData?.errors ?? {}}
        message={actionData?.message ?? null}
        collectors={collectors}
        timeZones={timeZones}
        currencyLockedReason={null}
        nextAccountHint="Leave blank to take the next number."
        submitLabel="Create customer"
        cancelTo="/staff/customers"
      />
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
