import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { CustomerForm, timeZoneOptions } from "~/customers/customer-form";
import { customerInputSchema } from "~/customers/customer-schema";
import { getCustomerForEdit, updateCustomer } from "~/customers/customers.server";
import { invalid, runDomain } from "~/utils/action.server";
import { invariantResponse } from "~/utils/responses.server";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Edit ${data?.customer.name ?? "customer"} · Settle back office` }];

const paramsSchema = z.object({ customerId: z.uuid() });

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireStaff(request, "clerk");
  const parsed = paramsSchema.safeParse(params);
  invariantResponse(parsed.success, "Customer not found");
  const found = await getCustomerForEdit(parsed.data.customerId);
  invariantResponse(found, "Customer not found");
  return { ...found, timeZones: timeZoneOptions() };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "clerk");
  const parsedParams = paramsSchema.safeParse(params);
  invariantResponse(parsedParams.success, "Customer not found");
  const parsed = parseForm(customerInputSchema, await request.formData());
  if (!parsed.ok) return invalid(parsed.errors);
  const result = await runDomain(() => updateCustomer(parsedParams.data.customerId, parsed.data, { type: "staff", id: user.id, label: user.email }));
  if (!result.ok) return result.response;
  return redirect(`/staff/customers/${result.value.id}`);
}

export default function EditCustomer() {
  const { customer, collectors, currencyLocked, timeZones } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <>
      <header className="page-header">
        <div>
          <p className="muted">
            <Link to="/staff/customers">Customers</Link> / <Link to={`/staff/customers/${customer.id}`}>{customer.accountNumber}</Link> / Edit
          </p>
          <h1>Edit {customer.name}</h1>
          <p>Changes apply from now on; invoices already issued keep the terms they were issued with.</p>
        </div>
      </header>
      <CustomerForm
        values={customer}
        errors={actionData?.errors ?? {}}
        message={actionData?.message ?? null}
        collectors={collectors}
        timeZones={timeZones}
        currencyLockedReason={currencyLocked ? `Fixed at ${customer.currency}: this customer already has invoices or payments in it.` : null}
        nextAccountHint="Shown on invoices and statements."
        submitLabel="Save changes"
        cancelTo={`/staff/customers/${customer.id}`}
      />
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
