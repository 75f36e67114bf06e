import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { signOut } from "~/auth/sign-out.server";
import { clientIp } from "~/utils/responses.server";

export async function loader() {
  throw redirect("/staff");
}

export async function action({ request, context }: ActionFunctionArgs) {
  return signOut({ request, audience: "staff", ip: clientIp(context) });
}
