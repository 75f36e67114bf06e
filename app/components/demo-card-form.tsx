import { Form } from "@remix-run/react";
import { useState } from "react";
import { Field, FormAlert, SubmitButton } from "~/components/forms";
import type { FieldErrors } from "~/utils/validation";

export type DemoCard = { number: string; label: string };

const grouped = (digits: string) => digits.replace(/(\d{4})(?=\d)/g, "$1 ");

/**
 * The demo processor's card form, used to pay an attempt or to save a card. It is plainly
 * labelled as a demo and lists the test cards with what each does; no real card is charged.
 * The route's action confirms with the demo processor (card number, expiry, CVC).
 */
export function DemoCardForm({
  cards,
  submitLabel,
  errors = {},
  message,
  hidden = {},
  action,
}: {
  cards: DemoCard[];
  submitLabel: string;
  errors?: FieldErrors;
  message?: string | null;
  hidden?: Record<string, string>;
  action?: string;
}) {
  const [cardNumber, setCardNumber] = useState("");
  const [expiry, setExpiry] = useState("");
  const [cvc, setCvc] = useState("");
  const fillCard = (number: string) => {
    setCardNumber(grouped(number));
    if (!expiry) setExpiry(`12 / ${String((new Date().getUTCFullYear() + 3) % 100).padStart(2, "0")}`);
    if (!cvc) setCvc("123");
  };
  return (
    <div className="demo-card">
      <p className="demo-card-label">
        <span className="badge warn">DEMO</span> Demo processor: no real card is charged. Use one of the test cards below.
      </p>
      <Form method="post" action={action} noValidate className="demo-card-form">
        {Object.entries(hidden).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <FormAlert message={message} />
        <Field
          label="Card number"
          name="cardNumber"
          inputMode="numeric"
          autoComplete="cc-number"
          placeholder="4242 4242 4242 4242"
          required
          value={cardNumber}
          onChange={(event) => setCardNumber(event.target.value)}
          error={errors.cardNumber}
        />
        <div className="demo-card-row">
          <Field label="Expiry date" name="expiry" inputMode="numeric" autoComplete="cc-exp" placeholder="MM / YY" required value={expiry} onChange={(event) => setExpiry(event.target.value)} error={errors.expiry} hint="Any future date" />
          <Field label="Security code" name="cvc" inputMode="numeric" autoComplete="cc-csc" placeholder="123" required value={cvc} onChange={(event) => setCvc(event.target.value)} error={errors.cvc} hint="Any 3 digits" />
        </div>
        <SubmitButton className="button block">{submitLabel}</SubmitButton>
      </Form>
      <details className="demo-cards" open>
        <summary>Test cards</summary>
        <ul>
          {cards.map((card) => (
            <li key={card.number}>
              <span>
                <code>{grouped(card.number)}</code>
                <span className="muted">{card.label}</span>
              </span>
              <button type="button" className="button secondary small" onClick={() => fillCard(card.number)} aria-label={`Use test card ${grouped(card.number)}: ${card.label}`}>
                Use
              </button>
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
