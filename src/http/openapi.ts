import { z } from "zod";
import { Command } from "../commands/commands.js";
import { packageVersion } from "../version.js";
import { ROUTES, type RouteSpec } from "./rest-routes.js";

type JsonSchema = Record<string, unknown>;

const schema = (type: z.ZodType): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(type, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return rest;
};

const PROBLEM: JsonSchema = {
  type: "object",
  description: "RFC 9457 problem details.",
  required: ["type", "title", "status", "detail", "code"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string", description: "One sentence: what was wrong and what to do." },
    code: { type: "string", description: "Stable code, as in the audit log." },
    field: { type: "string", description: "400: the field that was wrong (a JSON pointer or a parameter name)." },
    permission: { type: "string", description: "403: the command type the caller may not run." },
    question: { type: "string", description: "409: the question a destructive command waits on." },
    auditId: { type: "integer" },
  },
};

const SAY: JsonSchema = {
  type: "object",
  description: "The same object `baton say --json` prints.",
  required: ["command", "resolvedBy", "outcome", "reply", "result"],
  properties: {
    command: { oneOf: [{ $ref: "#/components/schemas/Command" }, { type: "null" }] },
    resolvedBy: { type: ["string", "null"] },
    outcome: { type: "string" },
    auditId: { type: ["integer", "null"] },
    reply: { type: "object" },
    result: { type: ["object", "null"], description: "The command's typed result (`type` names it)." },
    question: { type: "string", description: "The question baton asked instead of acting (a missing input)." },
  },
};

const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});

function parameters(route: RouteSpec): JsonSchema[] {
  const of = (where: "path" | "query", object: z.ZodObject | undefined) =>
    Object.entries(object?.shape ?? {}).map(([name, type]) => ({
      name,
      in: where,
      required: where === "path" || !(type as z.ZodType).safeParse(undefined).success,
      schema: schema(type as z.ZodType),
    }));
  return [...of("path", route.params), ...of("query", route.query)];
}

function operation(route: RouteSpec): JsonSchema {
  const ok =
    route.answer === "say"
      ? { $ref: "#/components/schemas/SayResult" }
      : { type: "object", description: "The command's typed result (`type` names it)." };
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.commandType !== "commands" && { "x-baton-command": route.commandType }),
    parameters: parameters(route),
    ...(route.body && {
      requestBody: { required: true, content: { "application/json": { schema: schema(route.body) } } },
    }),
    responses: {
      "200": { description: "Done.", content: { "application/json": { schema: ok } } },
      "400": problemResponse("A field is wrong; `field` names it."),
      "401": problemResponse("No valid API token."),
      "403": problemResponse("The token's person may not run this here; `permission` names the command."),
      "404": problemResponse("No such execution, workflow or schedule."),
      "409": problemResponse("A destructive command without `confirm: true`; `question` says what it would do."),
      "413": problemResponse("The body is too large."),
      "415": problemResponse("The body is not application/json."),
      "429": problemResponse("Too many requests with this token; see Retry-After."),
    },
  };
}

/** The OpenAPI 3.1 document of /api/v1, generated from the route table and the command table's schemas. */
export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of ROUTES) {
    paths[route.path] ??= {};
    const path = paths[route.path];
    if (path) path[route.method] = operation(route);
  }
  paths["/events"] = {
    get: {
      operationId: "streamEvents",
      summary:
        "Server-sent events of what happens (runs, steps, agents, budgets, improvements), resumable with Last-Event-ID.",
      parameters: [
        { name: "Last-Event-ID", in: "header", required: false, schema: { type: "string" } },
        {
          name: "types",
          in: "query",
          required: false,
          schema: { type: "string" },
          description: "Comma-separated event types.",
        },
      ],
      responses: {
        "200": { description: "An event stream.", content: { "text/event-stream": { schema: { type: "string" } } } },
        "401": problemResponse("No valid API token."),
      },
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "baton",
      version: packageVersion(),
      description: "baton's REST API: the same commands, policy and audit as chat.",
    },
    servers: [{ url: "/api/v1" }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "A personal API token (`/orchestrate token create`)." },
      },
      schemas: { Command: schema(Command), Problem: PROBLEM, SayResult: SAY },
    },
  };
}
