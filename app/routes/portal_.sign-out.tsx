import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { signOut } from "~/auth/sign-out.server";
import { clientIp } from "~/utils/responses.server";

export async function loader() {
  throw redirect("/portal");
}

export async function action({ request, context }: ActionFunctionArgs) {
  return signOut({ request, audience: "portal", ip: clientIp(context) });
}
