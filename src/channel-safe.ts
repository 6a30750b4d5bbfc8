/**
 * Text shown in a channel carries no internals (issue 12 item 7): a driver's or the runtime's
 * message can name a connection string, a file path or a host and port, and everyone in the
 * channel reads the reply. Operators find the original in baton's log, which keeps the cause.
 *
 * A word-by-word scan, so it stays linear whatever the message holds.
 */

const ADDRESS = "[address]";

/**
 * `text` with URLs, connection strings and host:port pairs replaced by a placeholder, and file
 * paths by their file name.
 */
export function withoutInternals(text: string): string {
  let out = "";
  let word = "";
  for (const char of text) {
    if (isBreak(char)) {
      out += scrubWord(word) + char;
      word = "";
    } else {
      word += char;
    }
  }
  return out + scrubWord(word);
}

/** Whitespace and the quotes and brackets drivers put around names end a word. */
function isBreak(char: string): boolean {
  return char.trim() === "" || char === "'" || char === '"' || char === "`" || char === "(" || char === ")";
}

function scrubWord(word: string): string {
  if (word === "") return word;
  const [core, tail] = splitTrailingPunctuation(word);
  if (core.includes("://")) return ADDRESS + tail;
  if (isPath(core)) return basename(core) + tail;
  if (isHostPort(core)) return ADDRESS + tail;
  return word;
}

/** `open '/var/lib/baton.db',` keeps its comma; `127.0.0.1:5432.` keeps its full stop. */
function splitTrailingPunctuation(word: string): [string, string] {
  let end = word.length;
  while (end > 0 && ",;:.!?".includes(word.charAt(end - 1))) end -= 1;
  return [word.slice(0, end), word.slice(end)];
}

function isPath(word: string): boolean {
  if (word.startsWith("./") || word.startsWith("../") || word.startsWith("~/")) return true;
  if (/^[A-Za-z]:\\/.test(word)) return true;
  // `/var/lib/x`, `/tmp/baton.db`: an absolute path with more than one segment or a file name.
  return word.startsWith("/") && word.length > 1 && (word.indexOf("/", 1) > 0 || word.includes("."));
}

/** `127.0.0.1:5432`, `db.internal:5432`, `[::1]:5432`, `localhost:3000`, `:3000`. */
function isHostPort(word: string): boolean {
  const colon = word.lastIndexOf(":");
  if (colon < 0 || colon === word.length - 1) return false;
  const port = word.slice(colon + 1).split("/")[0] ?? "";
  if (!/^\d{2,5}$/.test(port)) return false;
  const host = word.slice(0, colon);
  // A host has a letter or a dot ("10:30" is a time, not an address).
  if (host === "" || /^\[[0-9A-Fa-f:.]+\]$/.test(host)) return true;
  return /^[A-Za-z0-9.-]+$/.test(host) && /[A-Za-z.]/.test(host);
}

/** `/var/lib/baton/baton.db` → `baton.db`: which file, not where it lives. */
function basename(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const name = path.slice(cut + 1);
  return name === "" ? "[path]" : name;
}
