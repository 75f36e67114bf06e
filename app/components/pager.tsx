import { Link } from "@remix-run/react";

/** "First page" / "Next page" for keyset-paginated lists; each is shown only when it leads somewhere. */
export function Pager({ first, next }: { first?: string | null; next?: string | null }) {
  if (!first && !next) return null;
  return (
    <nav className="pager" aria-label="Pages">
      {first ? (
        <Link className="button secondary" to={first}>
          First page
        </Link>
      ) : null}
      {next ? (
        <Link className="button secondary" to={next}>
          Next page
        </Link>
      ) : null}
    </nav>
  );
}
