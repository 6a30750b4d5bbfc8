import { type Problem, problem } from "../problem.js";

export { readJsonBytes as readRawJsonBody } from "../read-json.js";

/** The body parsed: 400 when it is not JSON. Any JSON value is accepted; templates say what they read. */
export function parseJsonBody(raw: Buffer): { body: unknown } | { problem: Problem } {
  try {
    return { body: JSON.parse(raw.toString("utf8")) as unknown };
  } catch {
    return { problem: problem(400, "invalid_json", "The body is not valid JSON.") };
  }
}
