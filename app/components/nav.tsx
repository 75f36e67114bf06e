import { NavLink } from "@remix-run/react";

/** A section of a shell: a link when it is built, a visibly unavailable item when a later issue will build it. */
export type NavItem = { label: string; to: string; end?: boolean; available: boolean };

export function NavList({ items, className }: { items: NavItem[]; className: string }) {
  return (
    <ul className={className}>
      {items.map((item) =>
        item.available ? (
          <li key={item.to}>
            <NavLink to={item.to} end={item.end} prefetch="intent">
              {item.label}
            </NavLink>
          </li>
        ) : (
          <li key={item.to}>
            <span className="soon" aria-disabled="true" title="Not available yet">
              {item.label} <span>soon</span>
            </span>
          </li>
        ),
      )}
    </ul>
  );
}
