import { count, eq } from "drizzle-orm";
import { passwords } from "~/auth/crypto.server";
import { refreshAllScores } from "~/collections/worklist.server";
import { today } from "~/utils/dates";
import type { Db } from "./client";
import { seedHistory } from "./seed-history";
import { seedReconciliation } from "./seed-reconciliation";
import { customers, portalUsers, settings, staffUsers } from "./schema";

/** One password for every demo sign-in, printed at start-up. Never used outside demo data. */
export const DEMO_PASSWORD = "settle-demo-password";

export const demoCompany = {
  companyName: "Northwind Supply Co.",
  supportEmail: "ar@northwind.example",
  brandColor: "#1f5fbf",
  logoUrl: null,
};

export const demoStaff = [
  { email: "admin@northwind.example", name: "Morgan Lee", role: "admin" },
  { email: "clerk@northwind.example", name: "Priya Raman", role: "clerk" },
  { email: "sam.ortiz@northwind.example", name: "Sam Ortiz", role: "clerk" },
  { email: "viewer@northwind.example", name: "Jordan Kim", role: "viewer" },
] as const;

/** The portal contact whose password is set, so a newcomer can also sign in without the outbox. */
export const demoPortalEmail = "dana@acme-fab.example";

const companyStems = [
  "Acme Fabrication", "Bluebird Logistics", "Cedar & Pine Interiors", "Delta Marine Services", "Evergreen Grocers",
  "Foxglove Pharmacy", "Granite Peak Construction", "Harborview Hotels", "Ironwood Tools", "Juniper Health Clinics",
  "Keystone Auto Parts", "Lakeside Dental Group", "Meridian Print Works", "Northgate Electrical", "Oakridge Veterinary",
  "Pioneer Packaging", "Quarry Lane Bakery", "Redwood Solar", "Silverline Textiles", "Tidewater Seafood",
  "Union Street Cafe", "Vantage Optics", "Westbrook Plumbing", "Yellowstone Outfitters", "Zenith Data Systems",
  "Alder Creek Farms", "Beacon Security", "Copperleaf Furniture", "Driftwood Marina", "Elm Street Florists",
  "Falcon Courier", "Golden Gate Catering", "Highland Brewing", "Indigo Design Studio", "Jasper Fitness",
  "Kingfisher Aviation", "Larkspur Landscaping", "Maple Leaf Roofing", "Nightingale Home Care", "Orchid Spa & Wellness",
  "Prairie Wind Energy", "Quillon Legal", "Riverbend Pediatrics", "Summit Engineering", "Thistle & Thread",
  "Upland Timber", "Valley Fresh Produce", "Willow Tree Daycare", "Yarrow Analytics", "Zephyr Bicycles",
  "Amberline Coffee Roasters", "Brightwater Pools", "Crescent Moon Books", "Dovetail Cabinetry", "Ember Glassworks",
  "Fernhill Nursery", "Gull Harbor Charters", "Hollow Oak Cidery", "Ivory Tower Architects", "Jetstream Travel",
];
const legalSuffixes = ["Ltd", "Inc.", "LLC", "Co.", "GmbH", "Corp.", "LLP"];
const firstNames = ["Dana", "Luis", "Aisha", "Tom", "Mei", "Oliver", "Grace", "Ravi", "Sofia", "Ben", "Hannah", "Kwame", "Elena", "Noah", "Yuki", "Fatima"];
const lastNames = ["Whitfield", "Moreno", "Khan", "Becker", "Chen", "Novak", "Okafor", "Patel", "Rossi", "Schmidt", "Tanaka", "Walsh", "Dubois", "Nguyen", "Haddad", "Larsen"];
const places = [
  { city: "Portland", region: "OR", country: "US", currency: "USD", timeZone: "America/Los_Angeles" },
  { city: "Austin", region: "TX", country: "US", currency: "USD", timeZone: "America/Chicago" },
  { city: "Boston", region: "MA", country: "US", currency: "USD", timeZone: "America/New_York" },
  { city: "Denver", region: "CO", country: "US", currency: "USD", timeZone: "America/Denver" },
  { city: "Toronto", region: "ON", country: "CA", currency: "CAD", timeZone: "America/Toronto" },
  { city: "Manchester", region: null, country: "GB", currency: "GBP", timeZone: "Europe/London" },
  { city: "Rotterdam", region: null, country: "NL", currency: "EUR", timeZone: "Europe/Amsterdam" },
  { city: "Chicago", region: "IL", country: "US", currency: "USD", timeZone: "America/Chicago" },
] as const;
const terms = [
  { paymentTermsDays: 30, earlyDiscountBps: 0, earlyDiscountDays: 0 },
  { paymentTermsDays: 30, earlyDiscountBps: 0, earlyDiscountDays: 0 },
  { paymentTermsDays: 15, earlyDiscountBps: 0, earlyDiscountDays: 0 },
  { paymentTermsDays: 45, earlyDiscountBps: 0, earlyDiscountDays: 0 },
  { paymentTermsDays: 30, earlyDiscountBps: 200, earlyDiscountDays: 10 },
  { paymentTermsDays: 60, earlyDiscountBps: 100, earlyDiscountDays: 15 },
];

// Deterministic, so the demo business is the same on every machine and a second run adds nothing.
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const slug = (text: string) => text.toLowerCase().replace(/&/g, "and").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

export function demoCustomers() {
  const random = mulberry32(20261122);
  const pick = <T,>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  return companyStems.map((stem, index) => {
    const place = index === 0 ? places[0] : pick(places);
    const suffix = index === 0 ? "Ltd" : place.country === "NL" ? "B.V." : pick(legalSuffixes);
    const domain = `${slug(stem).split("-").slice(0, 2).join("-")}.example`;
    const contactCount = 1 + Math.floor(random() * 3);
    const contacts = Array.from({ length: contactCount }, (_, i) => {
      const first = index === 0 && i === 0 ? "Dana" : pick(firstNames);
      const last = index === 0 && i === 0 ? "Whitfield" : pick(lastNames);
      const email = index === 0 && i === 0 ? demoPortalEmail : `${slug(first)}.${slug(last)}${i > 0 ? i : ""}@${domain}`;
      return { name: `${first} ${last}`, email, role: i === contactCount - 1 && i > 0 ? ("viewer" as const) : ("billing" as const) };
    });
    const creditLimitUnits = [5_000, 10_000, 25_000, 50_000, 100_000][Math.floor(random() * 5)]!;
    return {
      customer: {
        accountNumber: `C-${String(10001 + index)}`,
        name: `${stem} ${suffix}`,
        legalName: `${stem} ${suffix}`,
        email: `accounts@${domain}`,
        phone: `+1 555 01${String(index).padStart(2, "0")}`,
        addressLine1: `${100 + Math.floor(random() * 8900)} ${pick(["Main St", "Harbor Rd", "Industrial Way", "Market St", "Station Rd"])}`,
        city: place.city,
        region: place.region,
        postalCode: String(10000 + Math.floor(random() * 89999)),
        country: place.country,
        currency: place.currency,
        ...(index === 0 ? terms[4]! : pick(terms)),
        creditLimitMinor: creditLimitUnits * 100,
        taxId: place.country === "US" ? `${10 + (index % 89)}-${String(1000000 + index * 7919).slice(0, 7)}` : null,
        externalRef: `ERP-${String(5000 + index)}`,
        segment: pick(["Enterprise", "Mid-market", "Small business", "Small business"]),
        timeZone: place.timeZone,
      },
      contacts,
    };
  });
}

/** True when the demo sign-ins exist here (so start-up may print them). */
export async function hasDemoData(db: Db) {
  const [row] = await db.select({ value: count() }).from(staffUsers).where(eq(staffUsers.email, demoStaff[0].email));
  return (row?.value ?? 0) > 0;
}

export async function isEmpty(db: Db) {
  const [row] = await db.select({ value: count() }).from(staffUsers);
  return (row?.value ?? 0) === 0;
}

/** Creates the demo business and a year of its receivables. Idempotent: a second run changes nothing. */
export async function seed(db: Db, options: { history?: boolean } = {}) {
  await seedBusiness(db);
  if (options.history !== false) {
    await seedHistory(db);
    await seedReconciliation(db);
    // The worklist reads each account's cached score; the dunning run keeps it fresh from here on.
    await refreshAllScores(today(), db);
  }
}

async function seedBusiness(db: Db) {
  const passwordHash = await passwords.hash(DEMO_PASSWORD);
  await db.transaction(async (tx) => {
    await tx.insert(settings).values({ key: "company", value: demoCompany }).onConflictDoNothing();
    await tx
      .insert(staffUsers)
      .values(demoStaff.map((s) => ({ ...s, passwordHash })))
      .onConflictDoNothing();
    const staff = await tx.select({ id: staffUsers.id, email: staffUsers.email }).from(staffUsers);
    const collectors = demoStaff.filter((s) => s.role === "clerk").map((s) => staff.find((row) => row.email === s.email)?.id);

    const demo = demoCustomers();
    await tx
      .insert(customers)
      .values(demo.map(({ customer }, i) => ({ ...customer, collectorId: collectors[i % collectors.length] ?? null })))
      .onConflictDoNothing();
    const ids = new Map((await tx.select({ id: customers.id, accountNumber: customers.accountNumber }).from(customers)).map((c) => [c.accountNumber, c.id]));
    await tx
      .insert(portalUsers)
      .values(
        demo.flatMap(({ customer, contacts }) =>
          contacts.map((contact) => ({
            ...contact,
            customerId: ids.get(customer.accountNumber)!,
            passwordHash: contact.email === demoPortalEmail ? passwordHash : null,
          })),
        ),
      )
      .onConflictDoNothing();
  });
}
