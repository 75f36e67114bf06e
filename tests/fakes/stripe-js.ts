import type { BrowserContext, Page } from "@playwright/test";

/**
 * A scripted stand-in for Stripe.js (https://js.stripe.com), served to the browser with
 * Playwright's routing, as Stripe's own React tests mock Stripe.js. It implements what
 * @stripe/stripe-js and @stripe/react-stripe-js call: window.Stripe(publishableKey) with
 * elements({ clientSecret }), elements.create("payment") (a plain card-number input mounted in the
 * given node, emitting "ready" and "change"), elements.submit(), confirmPayment / confirmSetup
 * (which confirm at the fake Stripe, show a stand-in 3-D Secure dialog for requires_action, then
 * go to return_url with Stripe's query parameters), retrievePaymentIntent / retrieveSetupIntent.
 *
 * Like the real Stripe.js it calls https://api.stripe.com with the publishable key (so the app's
 * Content-Security-Policy is exercised as it is); routeStripe() sends those calls to the fake.
 */
export async function routeStripe(target: Page | BrowserContext, fakeBaseUrl: string) {
  await target.route("https://js.stripe.com/**", (route) => route.fulfill({ status: 200, contentType: "application/javascript", body: `(${stripeJsStandIn.toString()})();` }));
  await target.route("https://api.stripe.com/**", async (route) => {
    const url = new URL(route.request().url());
    await route.fulfill({ response: await route.fetch({ url: `${fakeBaseUrl}${url.pathname}${url.search}` }) });
  });
}

// Runs in the browser: everything it needs is inside it.
function stripeJsStandIn() {
  type Listener = (payload?: unknown) => void;
  type Json = Record<string, unknown>;
  type Kind = "payment_intents" | "setup_intents";
  type ConfirmOptions = { elements?: StandInElements; clientSecret?: string; confirmParams?: { return_url?: string; payment_method?: string }; redirect?: "always" | "if_required" };
  type StandInElements = ReturnType<typeof createElements>;
  const API = "https://api.stripe.com";
  let mounted = 0;

  async function call(key: string, method: "GET" | "POST", path: string, params: Record<string, string>): Promise<{ object?: Json; error?: Json }> {
    // A form body and the key in it, as Stripe.js sends: a simple request, no CORS preflight.
    const body = new URLSearchParams({ key, ...params });
    const response = method === "GET" ? await fetch(`${API}${path}?${body}`) : await fetch(`${API}${path}`, { method, headers: { "Content-Type": "application/x-www-form-urlencoded" }, body });
    const json = (await response.json()) as Json;
    return response.ok ? { object: json } : { error: json.error as Json };
  }

  const luhn = (digits: string) =>
    [...digits].reverse().reduce((sum, char, index) => {
      const d = Number(char) * (index % 2 ? 2 : 1);
      return sum + (d > 9 ? d - 9 : d);
    }, 0) %
      10 ===
    0;

  // A closure, not a class: the test runner's transpiler may compile class fields into helpers
  // that would not exist in the browser, where this function's source runs.
  function createPaymentElement(elementType: string) {
    const listeners = new Map<string, Set<Listener>>();
    let root: HTMLElement | null = null;
    let input: HTMLInputElement | null = null;
    let errorText: HTMLElement | null = null;
    const emit = (event: string, payload?: unknown) => {
      for (const listener of [...(listeners.get(event) ?? [])]) listener(payload);
    };
    const number = () => (input?.value ?? "").replace(/\D/g, "");
    const showError = (message: string | null) => {
      if (errorText) errorText.textContent = message ?? "";
      input?.setAttribute("aria-invalid", message ? "true" : "false");
    };
    const element = {
      elementType,
      on(event: string, listener: Listener) {
        if (!listeners.has(event)) listeners.set(event, new Set());
        listeners.get(event)!.add(listener);
        return element;
      },
      off(event: string, listener?: Listener) {
        if (listener) listeners.get(event)?.delete(listener);
        else listeners.delete(event);
        return element;
      },
      once(event: string, listener: Listener) {
        const wrapped: Listener = (payload) => {
          element.off(event, wrapped);
          listener(payload);
        };
        return element.on(event, wrapped);
      },
      mount(target: string | HTMLElement) {
        const node = typeof target === "string" ? document.querySelector<HTMLElement>(target) : target;
        if (!node) throw new Error(`The Stripe.js stand-in found no element to mount into (${String(target)})`);
        const id = `stripe-stand-in-card-${++mounted}`;
        root = document.createElement("div");
        root.className = "field";
        root.dataset.testid = "stripe-payment-element";
        const label = document.createElement("label");
        label.htmlFor = id;
        label.textContent = "Card number";
        input = document.createElement("input");
        Object.assign(input, { id, name: "cardnumber", inputMode: "numeric", autocomplete: "cc-number", placeholder: "1234 1234 1234 1234" });
        input.setAttribute("aria-describedby", `${id}-hint ${id}-error`);
        const hint = document.createElement("span");
        hint.className = "hint";
        hint.id = `${id}-hint`;
        hint.textContent = "Stripe test mode (stand-in): 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined, 4000 0027 6000 3184 asks for 3-D Secure.";
        errorText = document.createElement("span");
        errorText.className = "error";
        errorText.id = `${id}-error`;
        root.append(label, input, hint, errorText);
        node.append(root);
        input.addEventListener("input", () => {
          showError(null);
          const digits = number();
          emit("change", { elementType, empty: digits === "", complete: digits.length >= 13 && luhn(digits), collapsed: false, value: { type: "card" } });
        });
        input.addEventListener("focus", () => emit("focus", { elementType }));
        input.addEventListener("blur", () => emit("blur", { elementType }));
        setTimeout(() => emit("ready", { elementType }), 0);
        return element;
      },
      update: () => element,
      focus: () => input?.focus(),
      blur: () => input?.blur(),
      clear() {
        if (input) input.value = "";
      },
      collapse: () => element,
      unmount() {
        root?.remove();
        root = input = errorText = null;
      },
      destroy() {
        element.unmount();
        listeners.clear();
      },
      number,
      /** What the real Payment Element says about an unusable number, shown under the field too. */
      validate(): string | null {
        const digits = number();
        const message = digits.length < 13 ? "Your card number is incomplete." : luhn(digits) ? null : "Your card number is invalid.";
        showError(message);
        return message;
      },
    };
    return element;
  }

  function createElements(options: { clientSecret?: string } = {}) {
    let element: ReturnType<typeof createPaymentElement> | null = null;
    return {
      clientSecret: options.clientSecret,
      create(type: string) {
        if (type !== "payment" && type !== "card") throw new Error(`The Stripe.js stand-in has no "${type}" Element`);
        element = createPaymentElement(type);
        return element;
      },
      getElement: (type: string) => (element?.elementType === type ? element : null),
      element: () => element,
      update() {},
      fetchUpdates: async () => ({}),
      async submit() {
        const message = element?.validate() ?? "No payment Element is mounted.";
        return message ? { error: { type: "validation_error", code: "incomplete_number", message } } : {};
      },
      on() {},
      off() {},
    };
  }

  /** Stripe's test 3-D Secure page, reduced to its two buttons. */
  function challenge(): Promise<boolean> {
    return new Promise((resolve) => {
      const overlay = document.createElement("div");
      Object.assign(overlay.style, { position: "fixed", inset: "0", background: "rgba(17, 24, 39, 0.55)", display: "grid", placeItems: "center", zIndex: "1000" });
      const dialog = document.createElement("div");
      dialog.setAttribute("role", "dialog");
      dialog.setAttribute("aria-modal", "true");
      dialog.setAttribute("aria-labelledby", "stripe-stand-in-3ds-title");
      Object.assign(dialog.style, {
        background: "#fff",
        color: "#111827",
        borderRadius: "10px",
        padding: "1.5rem",
        maxWidth: "26rem",
        width: "calc(100% - 2rem)",
        boxShadow: "0 10px 30px rgba(0,0,0,.25)",
      });
      const title = document.createElement("h2");
      title.id = "stripe-stand-in-3ds-title";
      title.textContent = "3D Secure 2 Test Page";
      const text = document.createElement("p");
      text.textContent = "This test payment asks for authentication. Complete it, or fail it to see the payment refused.";
      const buttons = document.createElement("div");
      Object.assign(buttons.style, { display: "flex", gap: "0.75rem", marginTop: "1rem" });
      const answer = (approve: boolean) => {
        overlay.remove();
        resolve(approve);
      };
      for (const [label, approve, className] of [
        ["Complete", true, "button"],
        ["Fail", false, "button secondary"],
      ] as const) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = className;
        button.textContent = label;
        button.addEventListener("click", () => answer(approve));
        buttons.append(button);
      }
      dialog.append(title, text, buttons);
      overlay.append(dialog);
      document.body.append(overlay);
      (buttons.firstElementChild as HTMLButtonElement).focus();
    });
  }

  async function confirm(key: string, kind: Kind, { elements, clientSecret, confirmParams = {}, redirect = "always" }: ConfirmOptions) {
    const secret = clientSecret ?? elements?.clientSecret;
    if (!secret) throw new Error("Stripe.js stand-in: confirm needs the Elements' clientSecret or a clientSecret");
    if (redirect !== "if_required" && !confirmParams.return_url) throw new Error("Stripe.js stand-in: confirmParams.return_url is required unless redirect is 'if_required'");
    const element = elements?.element();
    if (element) {
      const message = element.validate();
      if (message) return { error: { type: "validation_error", code: "incomplete_number", message } };
    }
    const id = secret.split("_secret_")[0]!;
    const method: Record<string, string> = element
      ? { "payment_method_data[type]": "card", "payment_method_data[card][number]": element.number() }
      : confirmParams.payment_method
        ? { payment_method: confirmParams.payment_method }
        : {};
    let result = await call(key, "POST", `/v1/${kind}/${id}/confirm`, { client_secret: secret, ...method, ...(confirmParams.return_url ? { return_url: confirmParams.return_url } : {}) });
    if (result.error) return { error: result.error };
    if (result.object!.status === "requires_action") {
      const approve = await challenge();
      result = await call(key, "POST", `/_fake/${kind}/${id}/authenticate`, { client_secret: secret, approve: String(approve) });
      if (result.error) return { error: result.error };
    }
    const object = result.object!;
    const single = kind === "payment_intents" ? "payment_intent" : "setup_intent";
    const failure = (kind === "payment_intents" ? object.last_payment_error : object.last_setup_error) as Json | null;
    if (object.status === "requires_payment_method" && failure) return { error: { ...failure, [single]: object } };
    if (redirect === "if_required") return { [kind === "payment_intents" ? "paymentIntent" : "setupIntent"]: object };
    const target = new URL(confirmParams.return_url!, window.location.href);
    target.searchParams.set(single, id);
    target.searchParams.set(`${single}_client_secret`, secret);
    target.searchParams.set("redirect_status", object.status === "succeeded" ? "succeeded" : object.status === "processing" ? "processing" : "failed");
    window.location.assign(target.toString());
    // The page is leaving, as with the real Stripe.js.
    return new Promise<never>(() => {});
  }

  const notInStandIn = (name: string) => () => Promise.reject(new Error(`Stripe.js stand-in: ${name} is not implemented`));

  function Stripe(publishableKey: string) {
    if (typeof publishableKey !== "string" || !publishableKey.startsWith("pk_")) throw new Error("Stripe.js stand-in: Stripe() needs a publishable key (pk_...)");
    const retrieve = (kind: Kind) => async (clientSecret: string) => {
      const { object, error } = await call(publishableKey, "GET", `/v1/${kind}/${clientSecret.split("_secret_")[0]}`, { client_secret: clientSecret });
      return error ? { error } : { [kind === "payment_intents" ? "paymentIntent" : "setupIntent"]: object };
    };
    return {
      elements: (options?: { clientSecret?: string }) => createElements(options),
      confirmPayment: (options: ConfirmOptions) => confirm(publishableKey, "payment_intents", options),
      confirmSetup: (options: ConfirmOptions) => confirm(publishableKey, "setup_intents", options),
      retrievePaymentIntent: retrieve("payment_intents"),
      retrieveSetupIntent: retrieve("setup_intents"),
      // react-stripe-js checks that these exist before it accepts the object as Stripe.
      createToken: notInStandIn("createToken"),
      createPaymentMethod: notInStandIn("createPaymentMethod"),
      confirmCardPayment: notInStandIn("confirmCardPayment"),
      _registerWrapper() {},
      registerAppInfo() {},
    };
  }
  // The release train @stripe/stripe-js expects, so it does not warn about a version mismatch.
  Stripe.version = "endive";
  (window as unknown as { Stripe: typeof Stripe }).Stripe = Stripe;
}
