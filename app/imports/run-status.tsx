/** import_runs.status, spelled out here so this component pulls nothing of db/ into the browser. */
export type ImportRunStatus = "validated" | "applying" | "applied" | "failed";

const labels: Record<ImportRunStatus, { text: string; tone: string }> = {
  validated: { text: "Checked, not imported", tone: "brand" },
  applying: { text: "Importing…", tone: "warn" },
  applied: { text: "Imported", tone: "ok" },
  failed: { text: "Stopped", tone: "danger" },
};

export function RunStatus({ status, fatal }: { status: ImportRunStatus; fatal?: boolean }) {
  if (status === "validated" && fatal) return <span className="badge danger">Cannot be imported</span>;
  return <span className={`badge ${labels[status].tone}`}>{labels[status].text}</span>;
}
