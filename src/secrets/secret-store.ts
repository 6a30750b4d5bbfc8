import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { BatonError } from "../errors.js";
import { SECRET_NAME } from "./secret-names.js";

/** Where baton's secrets come from (src/config-secrets.ts reads the environment). */
export interface SecretsSettings {
  /** BATON_SECRETS_FILE: a YAML or JSON map NAME: value; null when unset. */
  file: string | null;
  /** BATON_SECRET_<NAME> variables, by NAME; they win over the file. */
  fromEnv: Readonly<Record<string, string>>;
}

/** Values shorter than this are not masked in tool output: "on" would blank every "on". */
const MIN_MASKED_LENGTH = 4;

/**
 * The secrets workflows reference as `{{ secrets.NAME }}`. Values are resolved only when a tool
 * runs; whatever a tool returns or throws passes through `mask` before it is stored or shown, so
 * a value echoed back (an error quoting its URL, a response repeating a header) is never kept.
 */
export class SecretStore {
  private readonly masked: Array<[name: string, value: string]>;

  constructor(private readonly values: ReadonlyMap<string, string>) {
    this.masked = [...values]
      .filter(([, value]) => value.length >= MIN_MASKED_LENGTH)
      .sort(([, a], [, b]) => b.length - a.length);
  }

  static empty(): SecretStore {
    return new SecretStore(new Map());
  }

  names(): string[] {
    return [...this.values.keys()].sort();
  }

  /** The value of a secret; a missing one is one sentence naming it and how to add it. */
  resolve(name: string): string {
    const value = this.values.get(name);
    if (value !== undefined) return value;
    throw new BatonError(
      "secret_missing",
      `The secret \`${name}\` is not set; add \`BATON_SECRET_${name}=…\` to baton's environment or \`${name}: …\` to the BATON_SECRETS_FILE, then restart baton.`,
    );
  }

  /** Every known secret value, exact match, replaced in every string at any depth. */
  mask<T>(value: T): T {
    if (this.masked.length === 0) return value;
    return this.maskAt(value) as T;
  }

  maskText(text: string): string {
    let result = text;
    for (const [name, secret] of this.masked) {
      if (result.includes(secret)) result = result.split(secret).join(`[REDACTED:secret ${name}]`);
    }
    return result;
  }

  private maskAt(value: unknown): unknown {
    if (typeof value === "string") return this.maskText(value);
    if (Array.isArray(value)) return value.map((item) => this.maskAt(item));
    if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.maskAt(item)]));
    }
    return value;
  }
}

/** Reads BATON_SECRETS_FILE (when set) and merges BATON_SECRET_<NAME>; a bad file stops start-up. */
export function loadSecretStore(settings: SecretsSettings): SecretStore {
  const values = new Map<string, string>(settings.file === null ? [] : Object.entries(readSecretsFile(settings.file)));
  for (const [name, value] of Object.entries(settings.fromEnv)) values.set(name, value);
  return new SecretStore(values);
}

function readSecretsFile(file: string): Record<string, string> {
  let source: string;
  try {
    source = readFileSync(file, "utf8");
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    throw invalid(`${file} (BATON_SECRETS_FILE) cannot be read${typeof code === "string" ? ` (${code})` : ""}.`, cause);
  }
  // Parse messages can quote the line they stopped at, which may hold a value: only its position is shown.
  const document = parseDocument(source, { prettyErrors: false });
  const error = document.errors[0];
  if (error !== undefined) {
    throw invalid(`${file} (BATON_SECRETS_FILE) is not valid YAML or JSON (near character ${error.pos[0] + 1}).`);
  }
  const raw: unknown = document.toJS({ maxAliasCount: 0 });
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw invalid(`${file} (BATON_SECRETS_FILE) must be a map of NAME: value.`);
  }
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!SECRET_NAME.test(name)) {
      throw invalid(
        `${file} (BATON_SECRETS_FILE): \`${name.slice(0, 100)}\` is not a secret name; use letters, digits and _, not starting with a digit.`,
      );
    }
    if (typeof value !== "string" && typeof value !== "number") {
      throw invalid(`${file} (BATON_SECRETS_FILE): the value of \`${name}\` must be text.`);
    }
    values[name] = String(value);
  }
  return values;
}

function invalid(message: string, cause?: unknown): BatonError {
  return new BatonError("config_invalid", message, cause === undefined ? {} : { cause });
}
