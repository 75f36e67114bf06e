/** A filename that survives every browser and file system: "INV-000123.pdf". */
export const safeFilename = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, "-");

export function fileResponse(body: Buffer | string, { filename, type }: { filename: string; type: string }) {
  return new Response(typeof body === "string" ? body : new Uint8Array(body), {
    headers: {
      "Content-Type": type,
      "Content-Disposition": `attachment; filename="${safeFilename(filename)}"`,
      // Statements and invoices are private and change as money moves.
      "Cache-Control": "private, no-store",
    },
  });
}

/**
 * Stops a download with a plain-text answer. Resource routes throw a Response rather than
 * data(): Remix would turn thrown data into an "Unexpected Server Error" body there.
 */
export function refuse(status: 400 | 404, message: string): never {
  throw new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
