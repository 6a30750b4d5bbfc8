/**
 * Hand-rolled scanners for the secret shapes a regular expression would match with a lookbehind
 * or a lazy run to a far delimiter (both quadratic on hostile text). Each walks the text once:
 * every search starts where the previous one stopped, so the cost is linear in the text.
 */

/** `scheme://user:password@host` and `scheme://:password@host` (redis): the password is replaced. */
export function redactUrlCredentials(text: string, label: string): string {
  let out = "";
  let copied = 0;
  // Each authority scanned ends before the `/` of the next `://`, so no character is scanned twice.
  for (let at = text.indexOf("://"); at !== -1; at = text.indexOf("://", at + 3)) {
    if (at === 0 || !isAlphanumeric(text.charCodeAt(at - 1))) continue;
    const { colon, atSign } = scanAuthority(text, at + 3);
    if (colon === -1 || atSign === -1 || colon > atSign || atSign === colon + 1) continue;
    out += `${text.slice(copied, colon + 1)}${label}`;
    copied = atSign;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * The authority runs to the path, query, fragment or whitespace; userinfo is what comes before its
 * last `@`, and the password what follows the first `:` in it.
 */
function scanAuthority(text: string, from: number): { colon: number; atSign: number } {
  let colon = -1;
  let atSign = -1;
  for (let index = from; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 47 || code === 63 || code === 35 || code <= 32) break; // / ? # and whitespace
    if (code === 64) atSign = index;
    else if (code === 58 && colon === -1 && atSign === -1) colon = index;
  }
  return { colon, atSign };
}

function isAlphanumeric(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
}

const BEGIN = "-----BEGIN ";
const KEY_HEADER = "PRIVATE KEY-----";
const END = "-----END ";

/**
 * PEM private key blocks; one that never ends is redacted to the end of the text. The scan moves
 * from one `PRIVATE KEY-----` to the next and looks back a bounded distance for its BEGIN.
 */
export function redactPrivateKeys(text: string, label: string): string {
  if (!text.includes(BEGIN)) return text;
  let out = "";
  let copied = 0;
  for (let header = text.indexOf(KEY_HEADER); header !== -1; header = text.indexOf(KEY_HEADER, header + 1)) {
    // "-----BEGIN RSA PRIVATE KEY-----": the kind between BEGIN and PRIVATE is a few words at most.
    const windowStart = Math.max(copied, header - 40 - BEGIN.length);
    const begin = text.slice(windowStart, header).lastIndexOf(BEGIN);
    if (begin === -1) continue;
    const close = text.indexOf(END, header + KEY_HEADER.length);
    const footer = close === -1 ? -1 : text.indexOf(KEY_HEADER, close + END.length);
    out += `${text.slice(copied, windowStart + begin)}${label}`;
    if (footer === -1) return out;
    copied = footer + KEY_HEADER.length;
    header = copied - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
