// The PDF standard fonts encode text as WinAnsi (Windows-1252): ASCII, Latin-1 and these extra
// characters. Anything else would print as garbage, so it is mapped to the nearest safe text.
const EXTRA = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");
const NEAREST: Record<string, string> = { Ł: "L", ł: "l", Đ: "D", đ: "d", ı: "i", "−": "-", "‐": "-", "‑": "-", "′": "'", "″": '"', "\t": " ", "\r": "" };

const encodable = (char: string) => {
  const code = char.codePointAt(0)!;
  return code === 0x0a || (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || EXTRA.has(char);
};

/** Text that Helvetica can print: accents kept where Latin-1 has them, stripped where not ("ő" -> "o"), else "?". */
export function winAnsi(text: string): string {
  let out = "";
  for (const char of text) {
    if (encodable(char)) out += char;
    else if (char in NEAREST) out += NEAREST[char];
    else {
      // Decomposed, "ő" is "o" plus a combining accent; narrow and thin spaces become spaces.
      const plain = char.normalize("NFKD").replace(/\p{M}/gu, "");
      out += plain && [...plain].every(encodable) ? plain : "?";
    }
  }
  return out;
}
