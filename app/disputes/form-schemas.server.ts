import { z } from "zod";
import { amountSchema, idempotencyKeySchema, optionalText, requiredText } from "~/utils/form-schemas";
import { DISPUTE_MESSAGE_MAX, disputeReasons } from "./labels";

const messageSchema = (label: string) => requiredText(label, DISPUTE_MESSAGE_MAX);

export const disputeFormSchema = (currency: string) =>
  z.object({
    amount: amountSchema(currency, "Amount you dispute"),
    reason: z.enum(disputeReasons, { message: "Choose what is wrong" }),
    message: messageSchema("Message"),
    idempotencyKey: idempotencyKeySchema,
  });

export const disputeMessageSchema = z.object({ message: messageSchema("Message"), idempotencyKey: idempotencyKeySchema });

export const acceptDisputeSchema = (currency: string) =>
  z.object({ amount: amountSchema(currency, "Amount to credit"), note: optionalText("Note to the customer", DISPUTE_MESSAGE_MAX) });

export const rejectDisputeSchema = z.object({ reason: messageSchema("Reason") });

export const assignDisputeSchema = z.object({ assigneeId: z.uuid({ message: "Choose who handles this dispute" }) });
