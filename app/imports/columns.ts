/**
 * The CSV files Settle imports: their columns, as the back office documents them and the
 * importer reads them. Header names are matched case-insensitively; order does not matter.
 */

export const importKinds = ["customers", "invoices"] as const;
export type ImportKind = (typeof importKinds)[number];

export type ImportColumn = { name: string; required: boolean; description: string };

export const importKindLabels: Record<ImportKind, string> = { customers: "Customers", invoices: "Open invoices" };

export const importColumns: Record<ImportKind, ImportColumn[]> = {
  customers: [
    { name: "external_ref", required: true, description: "The customer's id in your accounting system. A re-import with the same reference updates the customer." },
    { name: "account_number", required: false, description: "Settle account number; generated (C-10001…) when blank on a new customer, kept when blank on an update." },
    { name: "name", required: true, description: "Trading name." },
    { name: "legal_name", required: false, description: "Registered name, if different." },
    { name: "email", required: false, description: "Billing email address." },
    { name: "phone", required: false, description: "Phone number." },
    { name: "address_line1", required: false, description: "Street address." },
    { name: "address_line2", required: false, description: "Suite, floor, building." },
    { name: "city", required: false, description: "City." },
    { name: "region", required: false, description: "State, province or county." },
    { name: "postal_code", required: false, description: "ZIP or postal code." },
    { name: "country", required: false, description: "Two-letter ISO code, such as US or GB." },
    { name: "currency", required: true, description: "ISO code, such as USD. Fixed once the customer has invoices or payments." },
    { name: "payment_terms_days", required: false, description: "Net days; 30 when blank." },
    { name: "early_discount_percent", required: false, description: "Early-payment discount, such as 2 for 2/10 net 30." },
    { name: "early_discount_days", required: false, description: "Days the discount is open, such as 10." },
    { name: "credit_limit", required: false, description: "Amount in the customer's currency, such as 25000.00; blank for none." },
    { name: "credit_hold", required: false, description: "true or false." },
    { name: "tax_id", required: false, description: "VAT or tax number." },
    { name: "segment", required: false, description: "A grouping of your choice, such as Enterprise." },
    { name: "time_zone", required: false, description: "IANA name, such as America/New_York; UTC when blank." },
  ],
  invoices: [
    { name: "invoice_external_ref", required: true, description: "The invoice's id in your accounting system. One row per line: rows with the same reference form one invoice." },
    { name: "customer_external_ref", required: false, description: "The customer's external reference (or give customer_account_number)." },
    { name: "customer_account_number", required: false, description: "The customer's Settle account number (or give customer_external_ref)." },
    { name: "number", required: false, description: "Your system's invoice number, kept as is; Settle numbers the invoice when blank." },
    { name: "issue_date", required: true, description: "Date like 2026-01-31." },
    { name: "due_date", required: false, description: "Date like 2026-03-02; from the customer's terms when blank." },
    { name: "currency", required: false, description: "Must be the customer's currency; the customer's when blank." },
    { name: "po_number", required: false, description: "The customer's purchase order." },
    { name: "memo", required: false, description: "A note printed on the invoice." },
    { name: "description", required: true, description: "What the line is for." },
    { name: "quantity", required: false, description: "Up to 3 decimals; 1 when blank." },
    { name: "unit_price", required: true, description: "Amount in the invoice currency, such as 1250.00." },
    { name: "tax_rate", required: false, description: "Percent, such as 8.25; 0 when blank." },
    { name: "amount_paid", required: false, description: "What your system already received for the invoice; recorded as one payment applied to it." },
  ],
};

/** Rows of the downloadable sample files: realistic, and valid against each other. */
export const sampleRows: Record<ImportKind, Record<string, string>[]> = {
  customers: [
    {
      external_ref: "CUST-0001",
      account_number: "",
      name: "Harbor Freight Lines",
      legal_name: "Harbor Freight Lines LLC",
      email: "ap@harborfreight.example",
      phone: "+1 206 555 0142",
      address_line1: "1200 Alaskan Way",
      address_line2: "Suite 400",
      city: "Seattle",
      region: "WA",
      postal_code: "98101",
      country: "US",
      currency: "USD",
      payment_terms_days: "30",
      early_discount_percent: "2",
      early_discount_days: "10",
      credit_limit: "50000.00",
      credit_hold: "false",
      tax_id: "91-1234567",
      segment: "Enterprise",
      time_zone: "America/Los_Angeles",
    },
    {
      external_ref: "CUST-0002",
      account_number: "",
      name: "Blue Fern Studio",
      legal_name: "",
      email: "accounts@bluefern.example",
      phone: "",
      address_line1: "14 Canal Street",
      address_line2: "",
      city: "Manchester",
      region: "",
      postal_code: "M1 3HE",
      country: "GB",
      currency: "GBP",
      payment_terms_days: "14",
      early_discount_percent: "",
      early_discount_days: "",
      credit_limit: "",
      credit_hold: "false",
      tax_id: "GB123456789",
      segment: "Small business",
      time_zone: "Europe/London",
    },
  ],
  invoices: [
    { invoice_external_ref: "SI-20260112", customer_external_ref: "CUST-0001", customer_account_number: "", number: "A-20260112", issue_date: "2026-01-12", due_date: "", currency: "USD", po_number: "PO-7781", memo: "", description: "Freight audit, January", quantity: "1", unit_price: "2400.00", tax_rate: "0", amount_paid: "" },
    { invoice_external_ref: "SI-20260112", customer_external_ref: "CUST-0001", customer_account_number: "", number: "A-20260112", issue_date: "2026-01-12", due_date: "", currency: "USD", po_number: "PO-7781", memo: "", description: "Pallet labels", quantity: "250", unit_price: "0.85", tax_rate: "10.1", amount_paid: "" },
    { invoice_external_ref: "SI-20260118", customer_external_ref: "CUST-0002", customer_account_number: "", number: "A-20260118", issue_date: "2026-01-18", due_date: "2026-02-01", currency: "GBP", po_number: "", memo: "Thank you for your business", description: "Brand workshop (2 days)", quantity: "2", unit_price: "950.00", tax_rate: "20", amount_paid: "500.00" },
  ],
};
