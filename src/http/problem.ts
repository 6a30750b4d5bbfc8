import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * RFC 9457 problem details: every refusal the HTTP surface sends is one of these, with one
 * sentence in `detail` and nothing of baton's internals.
 * @see https://www.rfc-editor.org/rfc/rfc9457
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The stable code, as the audit log and `baton say --json` name it. */
  code: string;
  /** 400: which field was wrong (a JSON pointer such as `/command/workflow`). */
  field?: string;
  /** 403: the command type the caller may not run. */
  permission?: string;
  /** 409: the question a destructive command waits on. */
  question?: string;
  /** 401/403/409…: the audit row of the refused request, when one was written. */
  auditId?: number;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export const PROBLEM_TYPE = "application/problem+json";

export function problem(
  status: number,
  code: string,
  detail: string,
  extra: Partial<Pick<Problem, "field" | "permission" | "question" | "auditId">> = {},
): Problem {
  return {
    type: `https://baton.dev/problems/${code}`,
    title: TITLES[status] ?? "Error",
    status,
    detail,
    code,
    ...extra,
  };
}

/** Sends a problem as `application/problem+json`, with any extra headers (Retry-After, WWW-Authenticate). */
export function sendProblem(c: Context, body: Problem, headers: Record<string, string> = {}): Response {
  return c.newResponse(JSON.stringify(body), body.status as ContentfulStatusCode, {
    "content-type": PROBLEM_TYPE,
    ...headers,
  });
}

/** The same, for the raw Node handlers (Slack, Discord, MCP) that write to the response themselves. */
export function problemBody(body: Problem): { status: number; headers: Record<string, string>; text: string } {
  return { status: body.status, headers: { "content-type": PROBLEM_TYPE }, text: JSON.stringify(body) };
}
