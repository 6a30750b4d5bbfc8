import { type Context, Hono } from "hono";
import type { z } from "zod";
import type { Dispatcher } from "../bot/dispatch.js";
import type { Clock } from "../clock.js";
import type { Command } from "../commands/commands.js";
import type { Logger } from "../logger.js";
import { authenticate, type TokenAuthenticator } from "./api-auth.js";
import { recordRefusal, runApiRequest } from "./api-requests.js";
import { type EventStreamDeps, streamEvents } from "./event-stream.js";
import { openApiDocument } from "./openapi.js";
import { type Problem, problem, sendProblem } from "./problem.js";
import type { RateLimiter } from "./rate-limit.js";
import { readJsonObject } from "./read-json.js";
import { type CommandRequest, commandOf, honoPath, ROUTES, type RouteSpec } from "./rest-routes.js";

export interface RestDeps {
  dispatcher: Dispatcher;
  tokens: TokenAuthenticator;
  limiter: RateLimiter;
  clock: Clock;
  logger: Logger;
  maxBodyBytes: number;
  events: EventStreamDeps;
}

export const API_BASE = "/api/v1";

/** Mounts the REST API (ROUTES) and its OpenAPI document under /api/v1. */
export function restApi(deps: RestDeps): Hono {
  const api = new Hono();
  const document = openApiDocument();
  api.get("/openapi.json", (c) => c.json(document));
  api.get("/events", async (c) => {
    const auth = await authenticate(c, { tokens: deps.tokens, limiter: deps.limiter, now: () => deps.clock.now() });
    return "refusal" in auth ? auth.refusal : streamEvents(c, auth.caller, deps.events);
  });
  for (const route of ROUTES) api.on(route.method.toUpperCase(), honoPath(route.path), (c) => serve(c, route, deps));
  return api;
}

type Step<T> = { value: T } | { problem: Problem };

async function serve(c: Context, route: RouteSpec, deps: RestDeps): Promise<Response> {
  const auth = await authenticate(c, { tokens: deps.tokens, limiter: deps.limiter, now: () => deps.clock.now() });
  if ("refusal" in auth) return auth.refusal;
  const request = await requestOf(c, route, deps);
  if ("problem" in request) {
    const text = `${c.req.method} ${c.req.path}`;
    await recordRefusal(deps.dispatcher, deps.clock, {
      platform: "api",
      actor: auth.caller.actor,
      text,
      problem: request.problem,
    });
    return sendProblem(c, request.problem);
  }
  const answer = await runApiRequest(deps.dispatcher, deps.clock, {
    platform: "api",
    caller: auth.caller,
    ...request.value,
  });
  if (!answer.ok) return sendProblem(c, answer.problem);
  return c.json(route.answer === "result" ? answer.body.result : answer.body);
}

interface RouteRequest {
  text?: string;
  command?: Command;
  confirm?: boolean | undefined;
  wait?: boolean | undefined;
  channel?: string | undefined;
}

/** Params, query and body validated, and the command they make validated by the command table's schema. */
async function requestOf(c: Context, route: RouteSpec, deps: RestDeps): Promise<Step<RouteRequest>> {
  const params = route.params ? parsed(route.params, c.req.param(), "path") : { value: {} };
  if ("problem" in params) return params;
  const query = route.query ? parsed(route.query, c.req.query(), "query") : { value: {} };
  if ("problem" in query) return query;
  let body: unknown;
  if (route.body) {
    const read = await readJsonObject(c, deps.maxBodyBytes);
    if ("problem" in read) return read;
    const checked = parsed(route.body, read.body, "body");
    if ("problem" in checked) return checked;
    body = checked.value;
  }
  if (route.commandType === "commands") return commandRequest(body as z.infer<typeof CommandRequest>);
  const built = commandOf(
    route.command?.({ params: params.value as Record<string, string>, query: query.value, body }),
  );
  if (!built.success) return { problem: invalid(built.error, route.query ? "query" : "path") };
  const options = (body ?? {}) as { wait?: boolean };
  return { value: { command: built.data, ...(options.wait !== undefined && { wait: options.wait }) } };
}

function commandRequest(body: z.infer<typeof CommandRequest>): Step<RouteRequest> {
  const { text, command, ...options } = body;
  if (text !== undefined) return { value: { text, ...options } };
  const typed = commandOf(command);
  if (!typed.success) return { problem: invalid(typed.error, "body", ["command"]) };
  return { value: { command: typed.data, ...options } };
}

function parsed<T>(schema: z.ZodType<T>, input: unknown, where: "path" | "query" | "body"): Step<T> {
  const result = schema.safeParse(input);
  return result.success ? { value: result.data } : { problem: invalid(result.error, where) };
}

/** One sentence naming the first wrong field, as a JSON pointer into the body or the parameter's name. */
function invalid(error: z.ZodError, where: "path" | "query" | "body", prefix: PropertyKey[] = []): Problem {
  const issue = error.issues[0];
  const path = [...prefix, ...(issue?.path ?? [])].map(String);
  const field = where === "body" ? `/${path.join("/")}` : (path[0] ?? "");
  const what = where === "body" ? `${field}` : `${where} parameter ${field}`;
  return problem(400, "invalid_request", `${what}: ${issue?.message ?? "invalid"}.`, { field });
}
