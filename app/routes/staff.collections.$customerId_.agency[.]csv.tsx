import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { agencyCsv, getCollectionsAccount } from "~/collections/account.server";
import { fileResponse, refuse } from "~/documents/download.server";

// The account's open items for a collection agency (issue 6): what the page shows, as a file.

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const customerId = z.uuid().safeParse(params.customerId);
  if (!customerId.success) refuse(404, "Customer not found");
  const account = await getCollectionsAccount(customerId.data);
  if (!account) refuse(404, "Customer not found");
  return fileResponse(agencyCsv(account), { filename: `agency-${account.customer.accountNumber}-${account.asOf}.csv`, type: "text/csv; charset=utf-8" });
}
