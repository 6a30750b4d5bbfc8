import type { Command } from "../commands/commands.js";
import { containsSecret, hasSecretShape, REDACTED, redactSecrets } from "../redact.js";
import { isSecretKey } from "./secret-keys.js";
import { secretEnvName } from "./secret-names.js";

/** The inputs of a workflow declared `secret: true`, by workflow name. */
export type SecretInputsOf = (workflow: string) => ReadonlySet<string>;

/** The workflow inputs a command carries: `run <wf> k=v…` and a schedule that runs a workflow. */
function commandInputs(command: Command): { workflow: string; input: Record<string, string> } | null {
  if (command.type === "workflow.run") return { workflow: command.workflow, input: command.input };
  if (command.type === "schedule.create" && command.input)
    return { workflow: command.target ?? "", input: command.input };
  return null;
}

/**
 * The secrets a person typed into a command: each workflow input that is secret by its name, by
 * the workflow's `secret: true` or by its shape; "" stands for a token shape elsewhere in the
 * command (an `/improve` text, an agent's context). Empty when the command carries none.
 */
export function typedSecrets(command: Command, secretInputsOf: SecretInputsOf): string[] {
  const names = new Set<string>();
  const given = commandInputs(command);
  if (given) {
    const declared = secretInputsOf(given.workflow);
    for (const [name, value] of Object.entries(given.input)) {
      if (value !== "" && (isSecretKey(name) || declared.has(name) || hasSecretShape(value))) names.add(name);
    }
  }
  if (names.size === 0 && containsSecret(command)) names.add("");
  return [...names];
}

/** The command as the audit log may keep it: the typed secrets replaced by a label. */
export function withoutTypedSecrets(command: Command, names: readonly string[]): Command {
  const given = commandInputs(command);
  if (!given || !("input" in command)) return command;
  const input = Object.fromEntries(
    Object.entries(given.input).map(([name, value]) => [name, names.includes(name) ? REDACTED : value]),
  );
  return { ...command, input } as Command;
}

/** One sentence: what happened, and how to give baton the secret instead. */
export function secretInChatMessage(names: readonly string[]): string {
  const named = names.filter((name) => name !== "");
  const what =
    named.length === 0
      ? "it contains something that looks like a secret"
      : `${named.map((name) => `\`${name}\``).join(" and ")} ${named.length === 1 ? "is a secret" : "are secrets"}`;
  const example = secretEnvName(named[0] ?? "NAME");
  return (
    // No `NAME=…` in the advice: the audit row keeps this sentence, and redaction would blank it.
    `baton did not store or run this request because ${what}; add it as a baton secret instead ` +
    `(the environment variable \`BATON_SECRET_${example}\`, or the key \`${example}\` in the BATON_SECRETS_FILE) ` +
    `and have the workflow use \`{{ secrets.${example} }}\`.`
  );
}

/**
 * The request text as the audit log may keep it: shapes redacted, and `name=value` blanked for
 * every name that is secret (by its name, or declared `secret: true` by some workflow).
 */
export function redactChatText(text: string, secretNames: ReadonlySet<string>): string {
  return scanChatText(text, secretNames).redacted;
}

/** The secrets in a request's text, by name ("" for a token shape); empty when there are none. */
export function secretsInText(text: string, secretNames: ReadonlySet<string>): string[] {
  return scanChatText(text, secretNames).found;
}

/** One pass: each `=` looks back at most MAX_KEY characters, and a blanked value is skipped over. */
function scanChatText(text: string, secretNames: ReadonlySet<string>): { redacted: string; found: string[] } {
  const shaped = redactSecrets(text);
  const found = new Set<string>(shaped === text ? [] : [""]);
  let out = "";
  let copied = 0;
  for (let at = shaped.indexOf("="); at !== -1; at = shaped.indexOf("=", at + 1)) {
    const start = keyStart(shaped, at);
    const key = start === -1 ? "" : shaped.slice(start, at);
    if (key === "" || !(secretNames.has(key) || isSecretKey(key))) continue;
    const end = valueEnd(shaped, at + 1);
    if (end === at + 1) continue;
    found.add(key);
    if (shaped.startsWith(REDACTED, at + 1)) continue;
    out += `${shaped.slice(copied, at + 1)}${REDACTED}`;
    copied = end;
    at = end - 1;
  }
  const named = [...found].filter((name) => name !== "");
  return {
    redacted: copied === 0 ? shaped : out + shaped.slice(copied),
    found: named.length > 0 ? named : [...found],
  };
}

const MAX_KEY = 100;

function keyStart(text: string, equals: number): number {
  let start = equals;
  while (start > 0 && equals - start < MAX_KEY && isKeyChar(text.charCodeAt(start - 1))) start -= 1;
  return start < equals && (start === 0 || isSpace(text.charCodeAt(start - 1))) ? start : -1;
}

/** Letters, digits, `_`, `-` and `.`. */
function isKeyChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95 ||
    code === 45 ||
    code === 46
  );
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

function valueEnd(text: string, from: number): number {
  const quote = text.charAt(from);
  if (quote === '"' || quote === "'") {
    const close = text.indexOf(quote, from + 1);
    return close === -1 ? text.length : close + 1;
  }
  let end = from;
  while (end < text.length && !isSpace(text.charCodeAt(end))) end += 1;
  return end;
}
