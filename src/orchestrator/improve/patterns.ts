import type { Clock } from "../../clock.js";
import type { CommandOf } from "../../commands/commands.js";
import { accountsOf, personOf, type RequestContext } from "../../commands/context.js";
import type { Database } from "../../db/database.js";
import { commandsSince } from "../../db/repositories/event-repository.js";
import type { OrchestratorEventBus } from "../events.js";

const WINDOW_MS = 7 * 24 * 3_600_000;
const THRESHOLD = 3;

/** Offered in the thread when a person keeps making the same request. */
export interface PatternOffer {
  /** e.g. `workflow.run healthcheck [urls]` */
  shape: string;
  count: number;
  /** Commands that turn the habit into something baton does by itself. */
  schedule: string;
  /** Only for workflow runs: save the inputs given as the workflow's defaults. */
  saveAsWorkflow?: string;
}

/** The requests a schedule can take over: workflow runs, digests and orchestrator steps. */
export type SchedulableCommand = CommandOf<"workflow.run"> | CommandOf<"digest"> | CommandOf<"orchestrator.step">;

/** Request shape: the command, its workflow, and the argument keys (values vary, the habit does not). */
const SHAPES: { readonly [T in SchedulableCommand["type"]]: (command: CommandOf<T>) => string } = {
  "workflow.run": (command) => `workflow.run ${command.workflow} [${Object.keys(command.input).sort().join(", ")}]`,
  digest: (command) => `digest [${command.channel === undefined ? "" : "channel"}]`,
  "orchestrator.step": () => "orchestrator.step []",
};

function shapeWith<T extends SchedulableCommand["type"]>(type: T): (command: CommandOf<T>) => string {
  return SHAPES[type];
}

export function shapeOf(command: SchedulableCommand): string {
  return shapeWith(command.type)(command);
}

/**
 * Pattern detection: the same request shape from three or more runs by one person within seven
 * days raises `pattern_recognized` (once per shape and person per window) and offers to schedule
 * it or save its inputs as the workflow's defaults.
 */
export class PatternDetector {
  private readonly raised = new Map<string, number>();

  constructor(private readonly deps: { database: Database; events: OrchestratorEventBus; clock: Clock }) {}

  async observe(command: SchedulableCommand, context: RequestContext, executionId: string | null) {
    // A schedule's own fires are not a person's habit.
    if (context.origin.platform === "scheduler") return null;
    const now = this.deps.clock.now().getTime();
    const shape = shapeOf(command);
    const key = `${personOf(context.actor)}\u0000${shape}`;
    const last = this.raised.get(key);
    if (last !== undefined && now - last < WINDOW_MS) return null;
    const earlier = await commandsSince(this.deps.database, {
      accounts: accountsOf(context.actor),
      commandType: command.type,
      since: new Date(now - WINDOW_MS),
    });
    // This request's own audit row is still open, so it is counted here rather than read back.
    const count = earlier.filter((c) => sameShape(c, command.type, shape)).length + 1;
    if (count < THRESHOLD) return null;
    this.raised.set(key, now);
    const offer = offerFor(command, shape, count, executionId);
    this.deps.events.emit("pattern.recognized", {
      shape,
      count,
      actorId: context.actor.id,
      command: { ...command },
    });
    return offer;
  }
}

/** Whether a stored command (JSON from the audit log) has this shape; anything malformed does not. */
function sameShape(value: unknown, type: SchedulableCommand["type"], shape: string): boolean {
  const candidate = value as { type?: unknown; workflow?: unknown; input?: unknown; channel?: unknown } | null;
  if (candidate?.type !== type) return false;
  if (type === "workflow.run") {
    const valid =
      typeof candidate.workflow === "string" && typeof candidate.input === "object" && candidate.input !== null;
    return valid && shapeOf(candidate as CommandOf<"workflow.run">) === shape;
  }
  return shapeOf(candidate as SchedulableCommand) === shape;
}

function offerFor(command: SchedulableCommand, shape: string, count: number, executionId: string | null): PatternOffer {
  if (command.type === "digest") {
    const where = command.channel === undefined ? "" : ` ${command.channel}`;
    return { shape, count, schedule: `/orchestrate schedule "0 9 * * 1-5" digest${where}` };
  }
  if (command.type === "orchestrator.step") return { shape, count, schedule: '/orchestrate schedule "0 * * * *" step' };
  const inputs = Object.entries(command.input).map(([k, v]) => ` ${k}=${/\s/.test(v) ? JSON.stringify(v) : v}`);
  const given = inputs.join("");
  return {
    shape,
    count,
    schedule: `/orchestrate schedule "0 9 * * 1-5" run ${command.workflow}${given}`,
    ...(executionId !== null && {
      saveAsWorkflow: `/improve ex=${executionId} make${given || " these inputs"} the defaults`,
    }),
  };
}
