import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireStaff } from "~/auth/staff-auth.server";
import { creditNotePdf } from "~/documents/credit-note-pdf.server";
import { fileResponse, refuse } from "~/documents/download.server";
import { creditNoteDocument } from "~/documents/documents.server";

const paramsSchema = z.object({ creditNoteId: z.uuid() });

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireStaff(request, "viewer");
  const parsed = paramsSchema.safeParse(params);
  if (!parsed.success) refuse(404, "Credit note not found");
  const doc = (await creditNoteDocument(parsed.data.creditNoteId)) ?? refuse(404, "Credit note not found");
  return fileResponse(await creditNotePdf(doc), { filename: `${doc.number}.pdf`, type: "application/pdf" });
}
