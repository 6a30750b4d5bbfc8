import type { CommandSpec, CommandType } from "../commands/commands.js";
import type { AuditEntry } from "../db/repositories/audit-repository.js";
import type { ExecutionRecord, StepAttemptRecord } from "../db/repositories/execution-repository.js";
import type { SpendSummary } from "../db/repositories/llm-call-repository.js";
import type { ProviderHealthSnapshot } from "../llm/provider-health.js";
import type { AccessResult } from "./access/access-results.js";
import type { ControlResult, ControlSnapshot } from "./control/control-results.js";
import type { AgentResult } from "./results-agents.js";

/** What orchestrator.handle answers; the renderers turn it into a platform-neutral Reply. */

export interface HelpEntry extends Pick<CommandSpec, "access" | "usage" | "summary"> {
  type: CommandType;
}

export interface StatusSnapshot {
  version: string;
  startedAt: Date;
  now: Date;
  database: { dialect: string; location: string };
  router: string;
  frontEnds: string[];
  /** One line per platform front-end that reports its health, e.g. "discord: events arriving (last 12 s ago)". */
  frontEndHealth?: string[];
  running: ExecutionRecord[];
  waiting: ExecutionRecord[];
  interrupted: ExecutionRecord[];
  /** Executions created in the last 24 hours, by status. */
  last24h: Record<string, number>;
  workflows: { count: number; problems: string[] };
  llm: { providers: ProviderHealthSnapshot[]; spendToday: SpendSummary };
  /** Mode, last orchestrator step, next schedule, undelivered digests (the control plane). */
  control?: ControlSnapshot;
  /** Specialist agents in use and `/improve` feedback nobody has acted on (issue 7). */
  agents?: { active: number; feedbackAwaitingReview: number };
  /** Configuration problems a reader should fix, e.g. no admin for the platforms that run. */
  warnings?: string[];
  /**
   * Internals for admins only (README "Permissions"): this process. Without it, `database.location`
   * is empty too: nobody else is told where the database lives.
   */
  admin?: { pid: number; rssMb: number; heapMb: number; node: string; owner: string };
}

export interface WorkflowSummary {
  name: string;
  description: string | null;
  currentVersion: number;
  inputs: Array<{ name: string; required: boolean; description?: string; default?: string }>;
  steps: Array<{ id: string; kind: string; tool?: string; description?: string }>;
}

export interface WorkflowDetail extends WorkflowSummary {
  versions: Array<{ version: number; source: string; createdAt: Date; createdBy: string | null }>;
}

export interface ExecutionDetail {
  execution: ExecutionRecord;
  attempts: StepAttemptRecord[];
  /** Declared steps not yet attempted, in order, so a reader sees what is still to come. */
  pendingSteps: string[];
}

export type Result =
  /** `restricted`: some commands are left out because this person may not run them here (`roles` says why). */
  | { type: "help"; topic?: string; entries: HelpEntry[]; restricted: boolean; roles: string[] }
  | { type: "status"; status: StatusSnapshot }
  | { type: "history"; entries: AuditEntry[]; user?: string }
  | { type: "workflow.list"; workflows: WorkflowSummary[]; problems: string[] }
  | { type: "workflow.show"; workflow: WorkflowDetail }
  | { type: "workflow.run"; execution: ExecutionRecord; detail?: ExecutionDetail }
  | { type: "execution.list"; executions: ExecutionRecord[]; status?: string }
  | { type: "execution.show"; detail: ExecutionDetail }
  | { type: "execution.cancel"; execution: ExecutionRecord; alreadyFinished: boolean }
  | { type: "execution.approve"; execution: ExecutionRecord; resumed: boolean; detail?: ExecutionDetail }
  | { type: "execution.reject"; execution: ExecutionRecord; detail?: ExecutionDetail }
  | ControlResult
  | AgentResult
  | AccessResult;
