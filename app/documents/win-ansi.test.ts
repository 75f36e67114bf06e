import { describe, expect, it } from "vitest";
import { winAnsi } from "./win-ansi";

describe("winAnsi", () => {
  it("keeps what Helvetica prints: currency signs, Latin-1 accents, typographic punctuation", () => {
    const text = "$1.00 €2.00 £3.00 ¥4 Zoë Ørsted Müller “quoted” – — … ™\nnext line";
    expect(winAnsi(text)).toBe(text);
  });

  it("writes other letters plainly and anything else as a question mark", () => {
    expect(winAnsi("Łódź Dvořák Őrs")).toBe("Lódz Dvorák Ors");
    expect(winAnsi("株式会社 ₹ 😀")).toBe("???? ? ?");
    expect(winAnsi("a\u202fb\u2009c\td\r\n")).toBe("a b c d\n");
    expect(winAnsi("−5 ﬁle")).toBe("-5 file");
  });
});
