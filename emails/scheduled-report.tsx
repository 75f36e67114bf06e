import { Button, Link, Section, Text } from "@react-email/components";
import type { CSSProperties } from "react";
import { buttonStyle, EmailLayout, noticeStyle, paragraph, previewBrand, type Brand } from "./_components/layout";

/** One headline figure: "Over 90 days  $12,400.00", with the metric's definition below it where there is one. */
export type ScheduledReportFigure = { label: string; value: string; note?: string | null };
/** A table of figures: one per currency for money, one for the metrics. */
export type ScheduledReportSection = { heading: string; figures: ScheduledReportFigure[] };

export type ScheduledReportEmailProps = {
  brand: Brand;
  /** "Aging report" */
  reportTitle: string;
  /** The day the figures stand at (the day it is sent). */
  asOf: string;
  /** The schedule's parameters in words: "aged by due date, buckets 30, 60, 90, by customer, all currencies". */
  parameters: string;
  /** "Monday" */
  weekday: string;
  sections: ScheduledReportSection[];
  /** The report page with the same parameters. */
  reportUrl: string;
  /** The CSV files attached; empty when the CSV was too large to attach. */
  attachedFiles: string[];
  /** Why nothing is attached (too large), shown instead of the attachment line. */
  notAttachedReason: string | null;
  /** Where admins change or stop the schedule. */
  manageUrl: string;
};

export const scheduledReportSubject = (props: ScheduledReportEmailProps) => `${props.reportTitle} as of ${props.asOf} — ${props.brand.companyName}`;

const cell: CSSProperties = { padding: "6px 8px 6px 0", fontSize: 14, lineHeight: "20px", color: "#374151", borderBottom: "1px solid #e3e6eb", verticalAlign: "top" };
const head: CSSProperties = { ...cell, fontSize: 12, color: "#6b7280", fontWeight: 600, textAlign: "left" };
const right: CSSProperties = { textAlign: "right", paddingRight: 0, whiteSpace: "nowrap" };

/** Figures with definitions (the metrics): one paragraph each, so the plain-text part stays readable. */
function FigureList({ section }: { section: ScheduledReportSection }) {
  return (
    <Section style={{ margin: "8px 0 16px" }}>
      <Text style={{ ...paragraph, fontSize: 12, color: "#6b7280", fontWeight: 600, margin: "0 0 4px" }}>{section.heading}</Text>
      {section.figures.map((figure) => (
        <Text key={figure.label} style={{ ...paragraph, fontSize: 14, lineHeight: "20px", margin: "0 0 10px", paddingBottom: 8, borderBottom: "1px solid #e3e6eb" }}>
          <strong>
            {figure.label}: {figure.value}
          </strong>
          {figure.note ? (
            <>
              <br />
              <span style={{ fontSize: 12, color: "#6b7280" }}>{figure.note}</span>
            </>
          ) : null}
        </Text>
      ))}
    </Section>
  );
}

function FigureTable({ section }: { section: ScheduledReportSection }) {
  if (section.figures.some((f) => f.note)) return <FigureList section={section} />;
  return (
    <table data-text-format="dataTable" width="100%" cellPadding={0} cellSpacing={0} role="presentation" style={{ borderCollapse: "collapse", margin: "8px 0 16px" }}>
      <thead>
        <tr>
          <th style={head}>{section.heading}</th>
          <th style={{ ...head, ...right }}>Value</th>
        </tr>
      </thead>
      <tbody>
        {section.figures.map((figure) => (
          <tr key={figure.label}>
            <td style={cell}>{figure.label}</td>
            <td style={{ ...cell, ...right }}>{figure.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function ScheduledReportEmail(props: ScheduledReportEmailProps) {
  const { brand, reportTitle, asOf, parameters, weekday, sections, reportUrl, attachedFiles, notAttachedReason, manageUrl } = props;
  return (
    <EmailLayout brand={brand} preview={`${reportTitle} as of ${asOf}: ${parameters}`} title={`${reportTitle} as of ${asOf}`}>
      <Text style={paragraph}>
        Your weekly {reportTitle.toLowerCase()}: {parameters}.
      </Text>
      {sections.length === 0 ? <Text style={paragraph}>There is nothing to report: the books hold no figures for these parameters yet.</Text> : null}
      {sections.map((section) => (
        <FigureTable key={section.heading} section={section} />
      ))}
      <Section style={{ margin: "24px 0 8px" }}>
        <Button href={reportUrl} style={buttonStyle(brand)}>
          Open the report
        </Button>
      </Section>
      {notAttachedReason ? (
        <Text style={noticeStyle("#b45309")}>{notAttachedReason}</Text>
      ) : attachedFiles.length > 0 ? (
        <Text style={paragraph}>The whole report is attached as {attachedFiles.join(", ")}.</Text>
      ) : null}
      <Text style={{ ...paragraph, fontSize: 13, color: "#6b7280" }}>
        Sent every {weekday} because an admin of {brand.companyName} scheduled it.{" "}
        <Link href={manageUrl} style={{ color: brand.brandColor }}>
          Change or stop the schedule
        </Link>
        .
      </Text>
    </EmailLayout>
  );
}

ScheduledReportEmail.PreviewProps = {
  brand: previewBrand,
  reportTitle: "Aging report",
  asOf: "2026-11-23",
  parameters: "aged by due date, buckets 30, 60, 90, by customer, all currencies",
  weekday: "Monday",
  sections: [
    {
      heading: "USD",
      figures: [
        { label: "Current", value: "$48,210.00" },
        { label: "1–30 days", value: "$12,904.50" },
        { label: "31–60 days", value: "$6,120.00" },
        { label: "61–90 days", value: "$2,400.00" },
        { label: "Over 90 days", value: "$1,150.00" },
        { label: "Total open", value: "$70,784.50" },
        { label: "Overdue", value: "$22,574.50" },
        { label: "Disputed", value: "$250.00" },
        { label: "In payment plans", value: "$1,800.00" },
      ],
    },
  ],
  reportUrl: "http://localhost:3000/staff/reports/aging?as_of=2026-11-23",
  attachedFiles: ["aging-2026-11-23.csv"],
  notAttachedReason: null,
  manageUrl: "http://localhost:3000/staff/reports/schedules",
} satisfies ScheduledReportEmailProps;
