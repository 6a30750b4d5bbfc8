import { createHash } from "node:crypto";
import { type Context, Hono } from "hono";
import type { Dispatcher } from "../../bot/dispatch.js";
import type { Reply } from "../../bot/reply.js";
import type { Clock } from "../../clock.js";
import { Command } from "../../commands/commands.js";
import type { Actor } from "../../commands/context.js";
import type { Hook } from "../../config-hooks.js";
import type { Logger } from "../../logger.js";
import { recordRefusal, runApiRequest } from "../api-requests.js";
import { type Problem, problem, sendProblem } from "../problem.js";
import { type FillProblem, fillCommand, fillText } from "./hook-command.js";
import { parseJsonBody, readRawJsonBody } from "./raw-body.js";
import type { TemplateInput } from "./template.js";
import { verificationProblem } from "./verify.js";

export const HOOKS_BASE = "/hooks";

/** Where a hook's result goes: App.publish, through the platform's registered ChannelPublisher. */
export type HookPublish = (
  target: { platform: string; channel: string },
  reply: Reply,
  options: { idempotencyKey: string },
) => Promise<void>;

export interface HookDeps {
  hooks: readonly Hook[];
  dispatcher: Dispatcher;
  clock: Clock;
  logger: Logger;
  maxBodyBytes: number;
  publish: HookPublish;
}

/**
 * A verify kind's delivery id when the hook names none: GitHub's delivery GUID (the same on a
 * redelivery); a generic HMAC request's signature (a replay inside the timestamp window runs
 * once); a bearer hook has none, so every request runs unless the file names one.
 */
const DEFAULT_DELIVERY: Record<Hook["verify"]["kind"], string | null> = {
  github: "{{ headers.x-github-delivery }}",
  hmac: "{{ headers.x-baton-signature }}",
  bearer: null,
};

/** The longest delivery id kept as written; longer ones are kept as their SHA-256. */
const MAX_DELIVERY_CHARS = 128;

/** POST /hooks/{name}: verify, template the command, run it through the dispatcher, answer 202. */
export function hookRoutes(deps: HookDeps): Hono {
  const routes = new Hono();
  const byName = new Map(deps.hooks.map((hook) => [hook.name, hook]));
  routes.post("/:name", (c) => {
    const hook = byName.get(c.req.param("name"));
    if (!hook) return sendProblem(c, problem(404, "unknown_hook", `No webhook is named ${c.req.param("name")}.`));
    return serve(c, hook, deps);
  });
  return routes;
}

async function serve(c: Context, hook: Hook, deps: HookDeps): Promise<Response> {
  const read = await readRawJsonBody(c, deps.maxBodyBytes);
  if ("problem" in read) return sendProblem(c, read.problem);
  const header = (name: string) => c.req.header(name);
  const wrong = verificationProblem(hook.verify, { raw: read.raw, header, now: deps.clock.now() });
  if (wrong !== null) return refuse(c, hook, deps, problem(401, "invalid_signature", wrong));
  const parsed = parseJsonBody(read.raw);
  if ("problem" in parsed) return refuse(c, hook, deps, parsed.problem);
  const input: TemplateInput = { body: parsed.body, header };
  const request = hookRequest(hook, input);
  if ("problem" in request) return refuse(c, hook, deps, request.problem);
  const answer = await runApiRequest(deps.dispatcher, deps.clock, {
    platform: "webhook",
    caller: { actor: actorOf(hook), tokenId: null },
    command: request.command,
    ...(request.dedupeKey !== null && { dedupeKey: request.dedupeKey }),
  });
  if (answer.outcome.duplicate) return c.json({ duplicate: true }, 200);
  if (!answer.ok) return sendProblem(c, answer.problem);
  const postKey = `${request.dedupeKey ?? `webhook:${hook.name}:audit-${answer.body.auditId}`}:post`;
  if (hook.channel) postResult(deps, hook, hook.channel, answer.outcome, postKey);
  const result = answer.outcome.result;
  return c.json(
    {
      auditId: answer.body.auditId,
      command: answer.body.command,
      outcome: answer.body.outcome,
      ...(result?.type === "workflow.run" && { executionId: result.execution.id }),
    },
    202,
  );
}

/** The hook's command filled from the request and checked by the command table, and its dedupe key. */
function hookRequest(
  hook: Hook,
  input: TemplateInput,
): { command: Command; dedupeKey: string | null } | { problem: Problem } {
  const delivery = hook.delivery ?? DEFAULT_DELIVERY[hook.verify.kind];
  let dedupeKey: string | null = null;
  if (delivery !== null) {
    const filled = fillText(delivery, input, "/delivery");
    if ("problem" in filled) return { problem: fillProblem(filled.problem) };
    const id = filled.text.length > MAX_DELIVERY_CHARS ? sha256(filled.text) : filled.text;
    dedupeKey = `webhook:${hook.name}:${id}`;
  }
  const filled = fillCommand(hook.command, input);
  if ("problem" in filled)
    return { problem: fillProblem({ ...filled.problem, field: `/command${filled.problem.field}` }) };
  const checked = Command.safeParse(filled.command);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const field = `/command/${(issue?.path ?? []).map(String).join("/")}`;
    return { problem: problem(400, "invalid_command", `${field}: ${issue?.message ?? "invalid"}.`, { field }) };
  }
  return { command: checked.data, dedupeKey };
}

function fillProblem({ field, message }: FillProblem): Problem {
  return problem(400, "field_missing", `${field}: ${message}.`, { field });
}

/** The service identity a hook acts as; admins grant `webhook:<as>` roles like a person's account. */
function actorOf(hook: Hook): Actor {
  return { platform: "webhook", id: hook.as, name: hook.as };
}

/** A refused request from a sender that proved nothing (or something wrong) still leaves an audit row. */
async function refuse(c: Context, hook: Hook, deps: HookDeps, refusal: Problem): Promise<Response> {
  const text = `POST ${HOOKS_BASE}/${hook.name}`;
  await recordRefusal(deps.dispatcher, deps.clock, {
    platform: "webhook",
    actor: actorOf(hook),
    text,
    problem: refusal,
  });
  return sendProblem(c, refusal);
}

/** Posts the result once it has settled (a run finished or waits for a person); a failure is only logged. */
function postResult(
  deps: HookDeps,
  hook: Hook,
  channel: { platform: string; id: string },
  outcome: { settled: Promise<{ reply: Reply }> },
  idempotencyKey: string,
): void {
  void outcome.settled
    .then(({ reply }) => deps.publish({ platform: channel.platform, channel: channel.id }, reply, { idempotencyKey }))
    .catch((error: unknown) => deps.logger.warn("could not post a webhook's result", { hook: hook.name, error }));
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
