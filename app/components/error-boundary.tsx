import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";

const titles: Record<number, string> = {
  400: "That request was not understood",
  403: "You don't have access to this",
  404: "Not found",
  409: "That can't be done now",
  422: "That can't be done",
  413: "That was too large",
  429: "Too many attempts",
};

/** Maps a thrown response to a readable page; anything unexpected becomes a generic 500. */
export function GeneralErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error)) {
    const message =
      typeof error.data === "object" && error.data && "message" in error.data ? String(error.data.message) : String(error.data ?? "");
    return (
      <div className="card" role="alert">
        <h1>{titles[error.status] ?? `Error ${error.status}`}</h1>
        {message ? <p>{message}</p> : null}
        <p className="muted">Error {error.status}</p>
        <Link to="/">Back to the start</Link>
      </div>
    );
  }
  return (
    <div className="card" role="alert">
      <h1>Something went wrong</h1>
      <p>The error has been logged. Try again, or go back to the start.</p>
      <Link to="/">Back to the start</Link>
    </div>
  );
}
