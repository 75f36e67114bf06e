import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { companySettingsSchema, getCompanySettings, updateSetting } from "~/settings/settings.server";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Settings · Settle back office" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "admin");
  return { company: await getCompanySettings() };
}

const blankToNull = (value: unknown) => (typeof value === "string" && value.trim() === "" ? null : value);
const formSchema = companySettingsSchema.extend({
  supportEmail: z.preprocess(blankToNull, companySettingsSchema.shape.supportEmail),
  logoUrl: z.preprocess(blankToNull, companySettingsSchema.shape.logoUrl),
});

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "admin");
  const parsed = parseForm(formSchema, await request.formData());
  if (!parsed.ok) return data({ errors: parsed.errors, saved: false }, { status: 400 });
  await updateSetting("company", parsed.data, { type: "staff", id: user.id, label: user.email });
  return { errors: {}, saved: true };
}

export default function Settings() {
  const { company } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = actionData?.errors ?? {};
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Settings</h1>
          <p>How your company appears in the portal and in every email.</p>
        </div>
      </header>
      <section className="card" style={{ maxWidth: 560 }}>
        <h2>Company</h2>
        <FormAlert tone="ok" message={actionData?.saved ? "Saved." : null} />
        <Form method="post" noValidate>
          <Field label="Company name" name="companyName" defaultValue={company.companyName} required error={errors.companyName} />
          <Field label="Support email" name="supportEmail" type="email" defaultValue={company.supportEmail ?? ""} error={errors.supportEmail} hint="Shown at the foot of every email." />
          <Field label="Brand colour" name="brandColor" defaultValue={company.brandColor} error={errors.brandColor} hint="Hex, like #1f5fbf. Used for buttons in emails." />
          <Field label="Logo URL" name="logoUrl" type="url" defaultValue={company.logoUrl ?? ""} error={errors.logoUrl} />
          <SubmitButton>Save settings</SubmitButton>
        </Form>
      </section>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
