import { render } from "@react-email/render";
import { createElement, type ComponentType } from "react";
import ContactInvitationEmail, { contactInvitationSubject, type ContactInvitationEmailProps } from "~emails/contact-invitation";
import DisputeCustomerUpdateEmail, { disputeCustomerUpdateSubject, type DisputeCustomerUpdateEmailProps } from "~emails/dispute-customer-update";
import DisputeStaffUpdateEmail, { disputeStaffUpdateSubject, type DisputeStaffUpdateEmailProps } from "~emails/dispute-staff-update";
import InstalmentFailedEmail, { instalmentFailedSubject, type InstalmentFailedEmailProps } from "~emails/instalment-failed";
import InvoiceIssuedEmail, { invoiceIssuedSubject, type InvoiceIssuedEmailProps } from "~emails/invoice-issued";
import PaymentReceiptEmail, { paymentReceiptSubject, type PaymentReceiptEmailProps } from "~emails/payment-receipt";
import PlanConfirmedEmail, { planConfirmedSubject, type PlanConfirmedEmailProps } from "~emails/plan-confirmed";
import PlanDecidedEmail, { planDecidedSubject, type PlanDecidedEmailProps } from "~emails/plan-decided";
import PlanNeedsApprovalEmail, { planNeedsApprovalSubject, type PlanNeedsApprovalEmailProps } from "~emails/plan-needs-approval";
import CreditHoldNoticeEmail, { creditHoldNoticeSubject, type CreditHoldNoticeEmailProps } from "~emails/credit-hold-notice";
import LateFeeChargedEmail, { lateFeeChargedSubject, type LateFeeChargedEmailProps } from "~emails/late-fee-charged";
import PaymentReminderEmail, { paymentReminderSubject, type PaymentReminderEmailProps } from "~emails/payment-reminder";
import PromiseConfirmationEmail, { promiseConfirmationSubject, type PromiseConfirmationEmailProps } from "~emails/promise-confirmation";
import PromiseReminderEmail, { promiseReminderSubject, type PromiseReminderEmailProps } from "~emails/promise-reminder";
import ScheduledReportEmail, { scheduledReportSubject, type ScheduledReportEmailProps } from "~emails/scheduled-report";
import SignInLinkEmail, { signInLinkSubject, type SignInLinkEmailProps } from "~emails/sign-in-link";

type Template<P> = { component: ComponentType<P>; subject: (props: P) => string };

function template<P>(component: ComponentType<P>, subject: (props: P) => string): Template<P> {
  return { component, subject };
}

/** Every email Settle sends, by name; the name is stored with each outbox message. */
export const templates = {
  "sign-in-link": template<SignInLinkEmailProps>(SignInLinkEmail, signInLinkSubject),
  "contact-invitation": template<ContactInvitationEmailProps>(ContactInvitationEmail, contactInvitationSubject),
  "invoice-issued": template<InvoiceIssuedEmailProps>(InvoiceIssuedEmail, invoiceIssuedSubject),
  "instalment-failed": template<InstalmentFailedEmailProps>(InstalmentFailedEmail, instalmentFailedSubject),
  "payment-receipt": template<PaymentReceiptEmailProps>(PaymentReceiptEmail, paymentReceiptSubject),
  "plan-confirmed": template<PlanConfirmedEmailProps>(PlanConfirmedEmail, planConfirmedSubject),
  "plan-needs-approval": template<PlanNeedsApprovalEmailProps>(PlanNeedsApprovalEmail, planNeedsApprovalSubject),
  "plan-decided": template<PlanDecidedEmailProps>(PlanDecidedEmail, planDecidedSubject),
  "dispute-customer-update": template<DisputeCustomerUpdateEmailProps>(DisputeCustomerUpdateEmail, disputeCustomerUpdateSubject),
  "dispute-staff-update": template<DisputeStaffUpdateEmailProps>(DisputeStaffUpdateEmail, disputeStaffUpdateSubject),
  "payment-reminder": template<PaymentReminderEmailProps>(PaymentReminderEmail, paymentReminderSubject),
  "promise-confirmation": template<PromiseConfirmationEmailProps>(PromiseConfirmationEmail, promiseConfirmationSubject),
  "promise-reminder": template<PromiseReminderEmailProps>(PromiseReminderEmail, promiseReminderSubject),
  "late-fee-charged": template<LateFeeChargedEmailProps>(LateFeeChargedEmail, lateFeeChargedSubject),
  "credit-hold-notice": template<CreditHoldNoticeEmailProps>(CreditHoldNoticeEmail, creditHoldNoticeSubject),
  "scheduled-report": template<ScheduledReportEmailProps>(ScheduledReportEmail, scheduledReportSubject),
};

export type TemplateName = keyof typeof templates;
export type TemplateProps<N extends TemplateName> = (typeof templates)[N] extends Template<infer P> ? P : never;

// A link marked data-text-href="hide" shows its words alone in the plain-text part (an invoice number in a table).
const textSelectors = [{ selector: "a[data-text-href=hide]", format: "anchor", options: { ignoreHref: true } }];

export async function renderEmail<N extends TemplateName>(name: N, props: TemplateProps<N>) {
  const { component, subject } = templates[name] as unknown as Template<TemplateProps<N>>;
  const element = createElement(component as ComponentType<object>, props as object);
  const [html, text] = await Promise.all([render(element), render(element, { plainText: true, htmlToTextOptions: { selectors: textSelectors } })]);
  return { subject: subject(props), html, text };
}
