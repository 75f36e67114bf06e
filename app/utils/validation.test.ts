import { describe, expect, it } from "vitest";
import { emailSchema, safeRedirect } from "./validation";

describe("safeRedirect", () => {
  it.each([
    ["/staff/customers?q=a", "/staff/customers?q=a"],
    ["//evil.example", "/fallback"],
    ["/\\evil.example", "/fallback"],
    ["https://evil.example/", "/fallback"],
    ["", "/fallback"],
    [null, "/fallback"],
  ])("%s -> %s", (input, expected) => {
    expect(safeRedirect(input, "/fallback")).toBe(expected);
  });
});

describe("emailSchema", () => {
  it("trims and lower-cases", () => {
    expect(emailSchema.parse("  Dana@Acme.Example ")).toBe("dana@acme.example");
  });
  it.each([
    ["", "Email is required"],
    ["dana", "Enter an email address like name@example.com"],
    [`${"a".repeat(250)}@x.io`, "Email must be at most 254 characters"],
  ])("refuses %j with %j", (input, message) => {
    const result = emailSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(message);
  });
});
