/** Expected failures of the domain, each mapped to an HTTP status by the code that catches it. */
export type DomainErrorCode = "not_found" | "forbidden" | "conflict" | "invalid" | "rate_limited" | "unauthorized";

const statusByCode: Record<DomainErrorCode, number> = {
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  invalid: 422,
  rate_limited: 429,
  unauthorized: 401,
};

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "DomainError";
  }

  get status() {
    return statusByCode[this.code];
  }
}
