import { useNavigate } from "@remix-run/react";
import { useEffect, useState, type ReactElement } from "react";
import { Bar, BarChart, CartesianGrid, Cell, LabelList, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { currencyExponent, formatMoney } from "~/money/money";

/*
 * Charts for the dashboard and the reports, drawn with recharts. A chart is drawn in the browser
 * only, after the page has hydrated: recharts measures its container there, and its generated ids
 * would not match between the server's HTML and the browser's first render. The server sends a
 * placeholder of the same size, so nothing moves, and every figure a chart shows is also on the
 * page as text (a table, a legend or the figure beside it), for screen readers and for tests.
 */

function useMounted() {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

/** A sized box that holds its chart once the page runs in a browser. `label` says in words what it shows. */
function ChartFrame({ height, label, className, testId, children }: { height: number; label: string; className?: string; testId?: string; children: ReactElement }) {
  const mounted = useMounted();
  return (
    <div className={["chart", className ?? ""].join(" ").trim()} style={{ height }} role="img" aria-label={label} data-testid={testId} data-ready={mounted ? "true" : undefined}>
      {mounted ? (
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 320, height }}>
          {children}
        </ResponsiveContainer>
      ) : null}
    </div>
  );
}

const INK = "#374151";
const MUTED = "#5b6472";
const GRID = "#e3e6eb";
const BRAND = "#1f5fbf";
const axisTick = { fill: MUTED, fontSize: 12 };

/** An amount shortened for an axis or a bar label: "$1.2M", "€850K". Display only; nothing is computed from it. */
export function compactMoney(minor: number, currency: string): string {
  const major = minor / 10 ** currencyExponent(currency);
  return new Intl.NumberFormat("en-US", { style: "currency", currency, notation: "compact", maximumFractionDigits: 1 }).format(major);
}

const shortDate = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const monthOnly = new Intl.DateTimeFormat("en-US", { month: "short", timeZone: "UTC" });
/** "Mar 31" for a day on an axis. */
export const axisDate = (iso: string) => shortDate.format(new Date(`${iso}T00:00:00Z`));
/** "Mar ’26" (month and year) for a period on an axis. */
export const axisMonth = (iso: string) => `${monthOnly.format(new Date(`${iso}T00:00:00Z`))} ’${iso.slice(2, 4)}`;

// Current in the brand blue; past due from amber to deep red, however many buckets there are.
const PAST_DUE_STOPS = ["#f2c14e", "#ea8c3a", "#d9502f", "#a8261b", "#6e1410"];

function mix(a: string, b: string, t: number) {
  const channel = (hex: string, i: number) => parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16);
  const parts = [0, 1, 2].map((i) => Math.round(channel(a, i) + (channel(b, i) - channel(a, i)) * t));
  return `#${parts.map((p) => p.toString(16).padStart(2, "0")).join("")}`;
}

/** The colour of aging bucket `index` of `count`: the first is current, the rest grow warmer with age. */
export function bucketColor(index: number, count: number): string {
  if (index === 0) return BRAND;
  const pastDue = count - 1;
  if (pastDue <= 1) return PAST_DUE_STOPS[2]!;
  const position = ((index - 1) / (pastDue - 1)) * (PAST_DUE_STOPS.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, PAST_DUE_STOPS.length - 1);
  return mix(PAST_DUE_STOPS[low]!, PAST_DUE_STOPS[high]!, position - low);
}

/** A colour swatch for a legend written in HTML beside a chart. */
export function Swatch({ color }: { color: string }) {
  return <span className="swatch" style={{ background: color }} aria-hidden="true" />;
}

type Bucket = { key: string; label: string; amountMinor: number };

/** Aging as vertical bars, one per bucket, with the amount above each; a click opens `href`. */
export function AgingBarChart({ buckets, currency, href, height = 240 }: { buckets: Bucket[]; currency: string; href?: string; height?: number }) {
  const navigate = useNavigate();
  const data = buckets.map((b) => ({ ...b, amount: b.amountMinor }));
  const words = buckets.map((b) => `${b.label} ${formatMoney(b.amountMinor, currency)}`).join(", ");
  return (
    <ChartFrame height={height} label={`Aging bars: ${words}`} testId="aging-bars">
      <BarChart data={data} margin={{ top: 24, right: 8, bottom: 0, left: 8 }}>
        <CartesianGrid vertical={false} stroke={GRID} />
        <XAxis dataKey="label" tick={axisTick} tickLine={false} axisLine={{ stroke: GRID }} interval={0} />
        <YAxis tickFormatter={(v: number) => compactMoney(v, currency)} tick={axisTick} tickLine={false} axisLine={false} width={64} />
        <Tooltip cursor={{ fill: "rgb(31 95 191 / 6%)" }} formatter={(v) => [formatMoney(Number(v), currency), "Open"]} />
        <Bar
          dataKey="amount"
          isAnimationActive={false}
          radius={[4, 4, 0, 0]}
          maxBarSize={72}
          cursor={href ? "pointer" : undefined}
          onClick={href ? () => navigate(href) : undefined}
        >
          {data.map((b, i) => (
            <Cell key={b.key} fill={bucketColor(i, data.length)} />
          ))}
          <LabelList dataKey="amount" position="top" formatter={(v: number) => compactMoney(v, currency)} style={{ fill: INK, fontSize: 12, fontWeight: 600 }} />
        </Bar>
      </BarChart>
    </ChartFrame>
  );
}

type Column = { key: string; label: string };

/** One horizontal bar split into the aging buckets: how a currency's receivables are made up. */
export function AgingStackBar({ columns, bucketsMinor, currency, height = 44 }: { columns: Column[]; bucketsMinor: number[]; currency: string; height?: number }) {
  const datum: Record<string, number | string> = { name: currency };
  columns.forEach((c, i) => (datum[c.key] = Math.max(0, bucketsMinor[i] ?? 0)));
  const words = columns.map((c, i) => `${c.label} ${formatMoney(bucketsMinor[i] ?? 0, currency)}`).join(", ");
  return (
    <ChartFrame height={height} label={`${currency} receivables by age: ${words}`} className="stack-chart" testId="aging-stack">
      <BarChart data={[datum]} layout="vertical" margin={{ top: 0, right: 0, bottom: 0, left: 0 }} barCategoryGap={0}>
        <XAxis type="number" hide domain={[0, "dataMax"]} />
        <YAxis type="category" dataKey="name" hide />
        <Tooltip cursor={false} formatter={(v, name) => [formatMoney(Number(v), currency), columns.find((c) => c.key === name)?.label ?? String(name)]} />
        {columns.map((c, i) => (
          <Bar key={c.key} dataKey={c.key} stackId="aging" fill={bucketColor(i, columns.length)} isAnimationActive={false} />
        ))}
      </BarChart>
    </ChartFrame>
  );
}

type StackRow = { key: string; label: string; href: string | null; bucketsMinor: number[] };

/** Rows of the aging report as horizontal bars stacked by bucket; a click on a bar opens its row's page. */
export function AgingRowsChart({ rows, columns, currency }: { rows: StackRow[]; columns: Column[]; currency: string }) {
  const navigate = useNavigate();
  const data = rows.map((r) => {
    const datum: Record<string, number | string | null> = { label: r.label.length > 26 ? `${r.label.slice(0, 25)}…` : r.label, href: r.href };
    columns.forEach((c, i) => (datum[c.key] = Math.max(0, r.bucketsMinor[i] ?? 0)));
    return datum;
  });
  const height = 36 + rows.length * 30;
  return (
    <ChartFrame height={height} label={`The ${rows.length} largest rows by age bucket, in ${currency}; their figures are in the table below.`} testId="aging-rows-chart">
      <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 8 }} barCategoryGap={6}>
        <CartesianGrid horizontal={false} stroke={GRID} />
        <XAxis type="number" tickFormatter={(v: number) => compactMoney(v, currency)} tick={axisTick} tickLine={false} axisLine={{ stroke: GRID }} />
        <YAxis type="category" dataKey="label" width={180} tick={{ ...axisTick, fill: INK }} tickLine={false} axisLine={false} interval={0} />
        <Tooltip cursor={{ fill: "rgb(31 95 191 / 6%)" }} formatter={(v, name) => [formatMoney(Number(v), currency), columns.find((c) => c.key === name)?.label ?? String(name)]} />
        {columns.map((c, i) => (
          <Bar
            key={c.key}
            dataKey={c.key}
            stackId="aging"
            fill={bucketColor(i, columns.length)}
            isAnimationActive={false}
            cursor="pointer"
            onClick={(entry: { payload?: { href?: string | null } }) => {
              const to = entry.payload?.href;
              if (to) navigate(to);
            }}
          />
        ))}
      </BarChart>
    </ChartFrame>
  );
}

type Point = { periodEnd: string; value: number | null };

/** A measure over periods as a line with its axis, such as DSO month by month. */
export function TrendChart({
  points,
  format,
  axisFormat = format,
  label,
  height = 200,
  tickFormat = axisMonth,
}: {
  points: Point[];
  format: (value: number) => string;
  axisFormat?: (value: number) => string;
  label: string;
  height?: number;
  tickFormat?: (iso: string) => string;
}) {
  return (
    <ChartFrame height={height} label={label} testId="trend-chart">
      <LineChart data={points} margin={{ top: 12, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid vertical={false} stroke={GRID} />
        <XAxis dataKey="periodEnd" tickFormatter={tickFormat} tick={axisTick} tickLine={false} axisLine={{ stroke: GRID }} minTickGap={12} />
        <YAxis tickFormatter={(v: number) => axisFormat(v)} tick={axisTick} tickLine={false} axisLine={false} width={44} domain={["auto", "auto"]} />
        <Tooltip labelFormatter={(iso) => `Period ending ${axisDate(String(iso))}`} formatter={(v) => [format(Number(v)), label.split(":")[0]]} />
        <Line type="monotone" dataKey="value" stroke={BRAND} strokeWidth={2.5} dot={{ r: 3, fill: BRAND }} activeDot={{ r: 5 }} connectNulls isAnimationActive={false} />
      </LineChart>
    </ChartFrame>
  );
}

/** A small line without axes beside a metric: where it has been over the last periods. */
export function Sparkline({ points, format, label, height = 56 }: { points: Point[]; format: (value: number) => string; label: string; height?: number }) {
  const last = [...points].reverse().find((p) => p.value !== null);
  return (
    <ChartFrame height={height} label={label} className="sparkline" testId="sparkline">
      <LineChart data={points} margin={{ top: 6, right: 6, bottom: 6, left: 6 }}>
        <YAxis hide domain={["auto", "auto"]} />
        <XAxis dataKey="periodEnd" hide />
        <Tooltip labelFormatter={(iso) => `Period ending ${axisDate(String(iso))}`} formatter={(v) => [format(Number(v)), "Value"]} />
        <Line
          type="monotone"
          dataKey="value"
          stroke={BRAND}
          strokeWidth={2}
          connectNulls
          isAnimationActive={false}
          dot={(props: { cx?: number; cy?: number; payload?: Point; key?: string }) => {
            const isLast = last && props.payload?.periodEnd === last.periodEnd;
            return <circle key={props.key ?? `${props.cx}-${props.cy}`} cx={props.cx} cy={props.cy} r={isLast ? 3.5 : 0} fill={BRAND} />;
          }}
        />
      </LineChart>
    </ChartFrame>
  );
}

type CashRow = { label: string; collectedMinor: number; forecastMinor: number | null };

/** What came in against what was forecast, for this week and this month, as paired bars. */
export function CollectedChart({ rows, currency, height = 170 }: { rows: CashRow[]; currency: string; height?: number }) {
  const data = rows.map((r) => ({ label: r.label, collected: r.collectedMinor, forecast: r.forecastMinor ?? 0 }));
  const hasForecast = rows.some((r) => r.forecastMinor !== null);
  return (
    <ChartFrame height={height} label={rows.map((r) => `${r.label}: collected ${formatMoney(r.collectedMinor, currency)}${r.forecastMinor === null ? "" : ` of ${formatMoney(r.forecastMinor, currency)} forecast`}`).join("; ")} testId="collected-chart">
      <BarChart data={data} layout="vertical" margin={{ top: 0, right: 56, bottom: 0, left: 8 }} barGap={2} barCategoryGap="22%">
        <CartesianGrid horizontal={false} stroke={GRID} />
        <XAxis type="number" tickFormatter={(v: number) => compactMoney(v, currency)} tick={axisTick} tickLine={false} axisLine={{ stroke: GRID }} />
        <YAxis type="category" dataKey="label" tick={{ ...axisTick, fill: INK }} width={84} tickLine={false} axisLine={false} />
        <Tooltip cursor={{ fill: "rgb(31 95 191 / 6%)" }} formatter={(v, name) => [formatMoney(Number(v), currency), name === "collected" ? "Collected" : "Forecast"]} />
        <Legend formatter={(value: string) => (value === "collected" ? "Collected" : "Forecast")} iconType="square" wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="collected" fill="#067647" isAnimationActive={false} radius={[0, 3, 3, 0]}>
          <LabelList dataKey="collected" position="right" formatter={(v: number) => compactMoney(v, currency)} style={{ fill: INK, fontSize: 12 }} />
        </Bar>
        {hasForecast ? <Bar dataKey="forecast" fill="#b7c8e6" isAnimationActive={false} radius={[0, 3, 3, 0]} /> : null}
      </BarChart>
    </ChartFrame>
  );
}
