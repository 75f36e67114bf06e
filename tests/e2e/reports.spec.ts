import { readFileSync } from "node:fs";
import type { Locator, Page } from "@playwright/test";
import { expect, signInStaff, staff, test } from "./fixtures";

// The dashboard and the reports on the demo data: their charts are drawn, an earlier as-of date
// gives other figures, every dashboard figure leads to the list behind it, and the aging CSV
// downloads. Screenshots are left in tests/.tmp/screens.
async function shot(page: Page, name: string, { fullPage = true } = {}) {
  // The pointer leaves the charts first, so no tooltip covers them.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `tests/.tmp/screens/${name}.png`, fullPage });
}

/** The aging report is long: its top (totals) and, scrolled, its chart and first rows. */
async function agingShots(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, `${name}-totals`, { fullPage: false });
  await page.getByTestId("aging-rows-chart").scrollIntoViewIfNeeded();
  await page.evaluate(() => window.scrollBy(0, -80));
  await shot(page, `${name}-rows`, { fullPage: false });
}

const addDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The drawn marks of a chart (recharts draws once the page has hydrated). */
const marks = (chart: Locator) => chart.locator(".recharts-bar-rectangle path, .recharts-line-curve");

test.use({ locale: "en-US", viewport: { width: 1440, height: 900 } });

test("the dashboard shows the receivables with charts, as of an earlier day too, and each figure opens its list", async ({ page }) => {
  await signInStaff(page, staff.viewer);
  await expect(page).toHaveURL(/\/staff$/);
  await expect(page.getByRole("heading", { level: 1, name: "Good to see you, Jordan" })).toBeVisible();

  const overdue = page.getByTestId("tile-overdue").locator(".value");
  await expect(overdue).toHaveText(/^\$[1-9][\d,]*\.\d\d$/);
  await expect(page.getByTestId("tile-receivables").locator(".value")).toHaveText(/^\$[1-9]/);
  // The aging bars, the DSO trend and cash against the forecast are drawn, and the bars' figures are also text.
  await expect(marks(page.getByTestId("aging-bars")).first()).toBeVisible();
  expect(await marks(page.getByTestId("aging-bars")).count()).toBeGreaterThanOrEqual(4);
  await expect(marks(page.getByTestId("trend-chart")).first()).toBeVisible();
  await expect(marks(page.getByTestId("collected-chart")).first()).toBeVisible();
  await expect(page.getByRole("list", { name: "Open invoices by age" }).getByRole("listitem")).toHaveCount(5);
  await expect(page.getByTestId("dashboard-dso")).toHaveText(/^\d[\d,]*\.\d days$/);
  await expect(page.getByRole("table").getByRole("link").first()).toBeVisible();
  await shot(page, "reports-dashboard");

  // As of 60 days ago the figures are those of that day.
  const asOf = page.getByLabel("As of");
  const today = (await asOf.getAttribute("max"))!;
  const todayOverdue = await overdue.textContent();
  const todayAging = await page.getByRole("list", { name: "Open invoices by age" }).textContent();
  await asOf.fill(addDays(today, -60));
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`as_of=${addDays(today, -60)}`));
  await expect(page.getByTestId("dashboard-as-of")).toContainText("as they stood at the end of");
  await expect(overdue).not.toHaveText(todayOverdue!);
  await expect(page.getByRole("list", { name: "Open invoices by age" })).not.toHaveText(todayAging!);
  await expect(marks(page.getByTestId("aging-bars")).first()).toBeVisible();
  await shot(page, "reports-dashboard-past");

  // Each figure opens the list behind it.
  await page.getByRole("link", { name: "Today", exact: true }).click();
  // The demo books hold several currencies: the dashboard keeps the one chosen.
  const home = /\/staff(\?currency=[A-Z]{3})?$/;
  await expect(page).toHaveURL(home);
  const links: [string, RegExp, string][] = [
    ["tile-overdue", /\/staff\/customers\?show=overdue&sort=overdue/, "Customers"],
    ["tile-disputed", /\/staff\/disputes$/, "Disputes"],
    ["tile-plans", /\/staff\/plans$/, "Payment plans"],
    ["tile-unapplied", /\/staff\/customers\?show=credit/, "Customers"],
    ["tile-exceptions", /\/staff\/reconciliation\/exceptions$/, "Exceptions"],
  ];
  for (const [testId, url] of links) {
    await page.getByTestId(testId).click();
    await expect(page).toHaveURL(url);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await page.goBack();
    await expect(page).toHaveURL(home);
  }
  await page.getByTestId("dashboard-dso").click();
  await expect(page).toHaveURL(/\/staff\/reports\/metrics\?end=/);
  await expect(page.getByRole("heading", { level: 1, name: "Metrics" })).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(home);
  await page.getByRole("link", { name: "Aging report", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Aging report" })).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(home);
  await expect(page.getByRole("heading", { level: 1, name: "Good to see you, Jordan" })).toBeVisible();
  // The top account opens on the worklist (its name and link read together: equal scores may swap places).
  const { href, name } = await page
    .getByRole("table")
    .getByRole("link")
    .first()
    .evaluate((a) => ({ href: a.getAttribute("href")!, name: a.textContent! }));
  expect(href).toMatch(/^\/staff\/collections\/[0-9a-f-]{36}$/);
  await page.getByRole("table").getByRole("link", { name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${href}$`));
  await expect(page.getByRole("heading", { level: 1 })).toContainText(name);
});

test("the aging report: charts, an earlier as-of date gives other figures, the CSV downloads, a bad option is named", async ({ page }) => {
  await signInStaff(page, staff.clerk);
  await page.getByRole("navigation", { name: "Back office" }).getByRole("link", { name: "Reports" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Reports" })).toBeVisible();
  await page.getByRole("navigation", { name: "Reports" }).getByRole("link", { name: "Aging" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Aging report" })).toBeVisible();

  const total = page.getByTestId("aging-total-USD");
  await expect(total).toHaveText(/^\$[1-9]/);
  await expect(marks(page.getByTestId("aging-stack").first()).first()).toBeVisible();
  await expect(marks(page.getByTestId("aging-rows-chart")).first()).toBeVisible();
  const rows = page.getByTestId("aging-table").locator("tbody tr");
  expect(await rows.count()).toBeGreaterThan(10);
  // Customers link to their page; the totals are at the foot of the table.
  await expect(rows.first().getByRole("link")).toHaveAttribute("href", /\/staff\/customers\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("aging-table").locator("tfoot")).toContainText("Total USD");
  await agingShots(page, "reports-aging");

  // As of 90 days ago.
  const asOf = page.getByLabel("As of");
  const today = (await asOf.getAttribute("max"))!;
  const past = addDays(today, -90);
  const todayTotal = (await total.textContent())!;
  await asOf.fill(past);
  await page.getByRole("button", { name: "Show report" }).click();
  await expect(page).toHaveURL(new RegExp(`as_of=${past}`));
  await expect(page.getByTestId("aging-subtitle")).toContainText(new Date(`${past}T00:00:00Z`).toLocaleDateString("en-US", { dateStyle: "medium", timeZone: "UTC" }));
  await expect(total).not.toHaveText(todayTotal);
  await expect(marks(page.getByTestId("aging-rows-chart")).first()).toBeVisible();
  await agingShots(page, "reports-aging-past");

  // The CSV of what is on screen.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`aging-${past}.csv`);
  const csv = readFileSync((await file.path())!, "utf8").trim().split(/\r?\n/);
  expect(csv[0]).toBe("record_type,customer,detail,currency,Current,1–30 days,31–60 days,61–90 days,Over 90 days,total,overdue,disputed,in_plans,as_of,aged_by");
  expect(csv.filter((line) => line.startsWith("row,")).length).toBeGreaterThan(10);
  const usdTotal = csv.find((line) => line.startsWith("total,Total,,USD,"))!;
  expect(usdTotal).toContain(`,${past},due date`);
  expect(todayTotal.replace(/[$,]/g, "")).not.toBe(usdTotal.split(",")[9]);
  expect((await total.textContent())!.replace(/[$,]/g, "")).toBe(usdTotal.split(",")[9]);

  // Grouped by collector, with other buckets.
  await page.getByLabel("Group by").selectOption("collector");
  await page.getByLabel("Buckets (days)").fill("15,45");
  await page.getByRole("button", { name: "Show report" }).click();
  await expect(page.getByTestId("aging-table").locator("thead")).toContainText("Over 45 days");
  await expect(page.getByTestId("aging-table").locator("tbody")).toContainText("Priya Raman");

  // A bad option is named on its field, and the default report still shows.
  await page.goto("/staff/reports/aging?buckets=90,30");
  await expect(page.getByText("Buckets must go up, like 30,60,90")).toBeVisible();
  await expect(page.getByLabel("Buckets (days)")).toHaveValue("90,30");
  await expect(total).toHaveText(todayTotal);
});

test("the metrics: each with its definition beside it and its trend", async ({ page }) => {
  await signInStaff(page, staff.viewer);
  await page.goto("/staff/reports/metrics");
  await expect(page.getByRole("heading", { level: 1, name: "Metrics" })).toBeVisible();
  const dso = page.getByTestId("metric-dso");
  await expect(dso.getByRole("heading", { name: "Days sales outstanding" })).toBeVisible();
  await expect(dso.getByText(/Receivables at the end of the period/)).toBeVisible();
  await expect(dso.getByTestId("metric-value")).toHaveText(/days$/);
  await expect(marks(dso.getByTestId("sparkline")).first()).toBeVisible();
  await expect(page.locator("[data-testid^=metric-] h2")).toHaveCount(12);
  await shot(page, "reports-metrics");

  await page.getByLabel("Period", { exact: true }).selectOption("quarter");
  await page.getByRole("button", { name: "Show metrics" }).click();
  await expect(page.getByTestId("metrics-period")).toContainText("the quarter");
  await dso.getByText("Values by quarter").click();
  await expect(dso.getByRole("table").locator("tbody tr")).toHaveCount(8);
});
