import type { LinksFunction, MetaFunction } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration } from "@remix-run/react";
import type { ReactNode } from "react";
import { GeneralErrorBoundary } from "./components/error-boundary";
import appStyles from "./styles/app.css?url";
import customerStyles from "./styles/customers.css?url";
import documentStyles from "./styles/documents.css?url";
import invoiceStyles from "./styles/invoices.css?url";
import paymentStyles from "./styles/payments.css?url";
import portalStyles from "./styles/portal.css?url";
import disputeStyles from "./styles/disputes.css?url";
import payStyles from "./styles/pay.css?url";
import planStyles from "./styles/plans.css?url";
import worklistStyles from "./styles/worklist.css?url";
import { useNonce } from "./utils/nonce";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: appStyles },
  { rel: "stylesheet", href: customerStyles },
  { rel: "stylesheet", href: documentStyles },
  { rel: "stylesheet", href: invoiceStyles },
  { rel: "stylesheet", href: paymentStyles },
  { rel: "stylesheet", href: portalStyles },
  { rel: "stylesheet", href: disputeStyles },
  { rel: "stylesheet", href: payStyles },
  { rel: "stylesheet", href: planStyles },
  { rel: "stylesheet", href: worklistStyles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Settle" }];

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  return (
    <main className="landing">
      <GeneralErrorBoundary />
    </main>
  );
}
