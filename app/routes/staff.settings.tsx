import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import { companySettingsSchema, getCompanySettings, getReconciliationSettings, reconciliationSettingsSchema, updateSetting } from "~/settings/settings.server";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Settings · Settle back office" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, "admin");
  return { company: await getCompanySettings(), reconciliation: await getReconciliationSettings() };
}

const blankToNull = (value: unknown) => (typeof value === "string" && value.trim() === "" ? null : value);
const formSchema = companySettingsSchema.extend({
  supportEmail: z.preprocess(blankToNull, companySettingsSchema.shape.supportEmail),
  logoUrl: z.preprocess(blankToNull, companySettingsSchema.shape.logoUrl),
});

// A checkbox sends "on" or nothing; the stored setting is a boolean.
const reconciliationFormSchema = reconciliationSettingsSchema.extend({ chargebackFeeToCustomer: z.preprocess((value) => value === "on", z.boolean()) });

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireStaff(request, "admin");
  const form = await request.formData();
  const actor = { type: "staff" as const, id: user.id, label: user.email };
  if (form.get("intent") === "reconciliation") {
    const parsed = parseForm(reconciliationFormSchema, form);
    if (!parsed.ok) return data({ section: "reconciliation", errors: parsed.errors, saved: false }, { status: 400 });
    await updateSetting("reconciliation", parsed.data, actor);
    return { section: "reconciliation", errors: {}, saved: true };
  }
  const parsed = parseForm(formSchema, form);
  if (!parsed.ok) return data({ section: "company", errors: parsed.errors, saved: false }, { status: 400 });
  await updateSetting("company", parsed.data, actor);
  return { section: "company", errors: {}, saved: true };
}

export default function Settings() {
  const { company, reconciliation } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const errorsOf = (section: string): Record<string, string | undefined> => (actionData?.section === section ? actionData.errors : {});
  const errors = errorsOf("company");
  const savedIn = (section: string) => (actionData?.saved && actionData.section === section ? "Saved." : null);
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Settings</h1>
          <p>How your company appears in the portal and in every email, and how reconciliation decides.</p>
        </div>
      </header>
      <section className="card" style={{ maxWidth: 560 }}>
        <h2>Company</h2>
        <FormAlert tone="ok" message={savedIn("company")} />
        <Form method="post" noValidate>
          <Field label="Company name" name="companyName" defaultValue={company.companyName} required error={errors.companyName} />
          <Field label="Support email" name="supportEmail" type="email" defaultValue={company.supportEmail ?? ""} error={errors.supportEmail} hint="Shown at the foot of every email." />
          <Field label="Brand colour" name="brandColor" defaultValue={company.brandColor} error={errors.brandColor} hint="Hex, like #1f5fbf. Used for buttons in emails." />
          <Field label="Logo URL" name="logoUrl" type="url" defaultValue={company.logoUrl ?? ""} error={errors.logoUrl} />
          <SubmitButton name="intent" value="company">
            Save settings
          </SubmitButton>
        </Form>
      </section>
      <section className="card" style={{ maxWidth: 560 }}>
        <h2>Reconciliation</h2>
        <FormAlert tone="ok" message={savedIn("reconciliation")} />
        <Form method="post" noValidate>
          <Field
            label="Confidence to apply a bank match by itself (%)"
            name="autoApplyConfidence"
            inputMode="numeric"
            defaultValue={String(reconciliation.autoApplyConfidence)}
            error={errorsOf("reconciliation").autoApplyConfidence}
            hint="Bank lines matched at least this surely are applied at import; the rest wait on the exceptions queue as suggestions. 90 is careful; lower means fewer clicks and more risk."
          />
          <div className="field">
            <label className="checkbox">
              <input type="checkbox" name="chargebackFeeToCustomer" defaultChecked={reconciliation.chargebackFeeToCustomer} /> Invoice the customer for a card dispute's fee
            </label>
            <p className="hint">When a card dispute takes a payment back, its fee is added to the customer's account as an invoice; if the dispute is won, that invoice is credited.</p>
          </div>
          <SubmitButton name="intent" value="reconciliation">
            Save reconciliation settings
          </SubmitButton>
        </Form>
      </section>
    </>
  );
}

export const ErrorBoundary = GeneralErrorBoundary;
