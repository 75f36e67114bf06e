import { Form } from "@remix-run/react";

/** A GET search box for a list page; the query stays in the URL so results can be shared and paged. */
export function SearchForm({ name, label, placeholder, defaultValue, button = "Search" }: { name: string; label: string; placeholder: string; defaultValue: string; button?: string }) {
  const id = `search-${name}`;
  return (
    <Form method="get" className="toolbar" role="search">
      <div className="field">
        <label htmlFor={id} className="visually-hidden">
          {label}
        </label>
        <input id={id} type="search" name={name} defaultValue={defaultValue} placeholder={placeholder} />
      </div>
      <button type="submit" className="button secondary">
        {button}
      </button>
    </Form>
  );
}
