import type { Clock } from "../clock.js";
import { type Actor, accountsOf, isOneOf } from "../commands/context.js";
import type { AuditRepository } from "../db/repositories/audit-repository.js";
import type { ExecutionRecord, ExecutionRepository } from "../db/repositories/execution-repository.js";
import { BatonError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { ExecutionRecovery } from "./recovery.js";
import type { ApprovalWait } from "./workflow/approval-step.js";
import type { WorkflowCatalog } from "./workflow/catalog.js";

export interface ApprovalDeskDeps {
  executions: ExecutionRepository;
  recovery: ExecutionRecovery;
  catalog: WorkflowCatalog;
  audit: AuditRepository;
  clock: Clock;
  logger: Logger;
}

export interface Decision {
  approve: boolean;
  /** Null when the step's timeout decided. */
  by: Actor | null;
  note?: string;
}

export function approvalOf(execution: ExecutionRecord): ApprovalWait | null {
  const wait = execution.waitingFor;
  return execution.status === "waiting" && wait?.kind === "approval" ? (wait as unknown as ApprovalWait) : null;
}

/**
 * Whether an approver list names this person: `platform:userId` or a bare user id (of any account
 * linked to them), `role:NAME` (a role they hold here), or `group:ID` / `group:platform:ID` (a
 * platform group they are in). Never a display name: people can change theirs to anyone's.
 */
export function listed(approvers: readonly string[], actor: Actor, roles: readonly string[] = []): boolean {
  const names = new Set(
    accountsOf(actor).flatMap((account) =>
      [account, account.slice(account.indexOf(":") + 1)].map((n) => n.toLowerCase()),
    ),
  );
  const groups = new Set(
    (actor.groups ?? []).flatMap((group) => [group, `${actor.platform}:${group}`]).map((g) => g.toLowerCase()),
  );
  const held = new Set(roles.map((role) => role.toLowerCase()));
  return approvers.some((written) => {
    const entry = written.toLowerCase().replace(/^@/, "");
    if (entry.startsWith("role:")) return held.has(entry.slice("role:".length));
    if (entry.startsWith("group:")) return groups.has(entry.slice("group:".length));
    return names.has(entry);
  });
}

/**
 * Approval steps' answers: from a person (`/orchestrate approve|reject`) or from the step's timeout.
 * Each approval is settled once; approving resumes the run, rejecting fails it (or, with
 * `onError: continue`, lets it go on with `{ approved: false }`).
 */
export class ApprovalDesk {
  constructor(private readonly deps: ApprovalDeskDeps) {}

  /** Throws `denied` when this person may not decide this approval. */
  /** `roles`: the roles the policy found for this person here, for `role:` entries. */
  checkAllowed(execution: ExecutionRecord, wait: ApprovalWait, actor: Actor, roles: readonly string[] = []): void {
    if (wait.approvers && !listed(wait.approvers, actor, roles)) {
      throw new BatonError("denied", `Only ${wait.approvers.join(", ")} may decide on \`${execution.id}\`.`);
    }
    if (!wait.allowRequester && isOneOf(actor, execution.platform, execution.requestedBy)) {
      throw new BatonError("denied", `You started \`${execution.id}\`; its approval has to come from someone else.`);
    }
  }

  async decide(execution: ExecutionRecord, wait: ApprovalWait, decision: Decision): Promise<ExecutionRecord> {
    const { executions, clock } = this.deps;
    const now = clock.now();
    const by = decision.by?.name ?? "timeout";
    const output = { approved: decision.approve, by, note: decision.note ?? null, at: now.toISOString() };
    const rejection = `Rejected by ${by}${decision.note ? `: ${decision.note}` : "."}`;
    const settled = await executions.settleWaitingAttempt(wait.attemptId, {
      status: decision.approve ? "succeeded" : "failed",
      output,
      finishedAt: now,
      ...(!decision.approve && { errorCode: "rejected", errorMessage: rejection }),
    });
    const recorded = settled ? decision.approve : await this.recordedDecision(wait);
    if (recorded === null)
      throw new BatonError("invalid_command", `\`${execution.id}\` was decided by someone else just now.`);
    if (recorded || (await this.continuesOnRejection(execution, wait))) {
      const outcome = await this.deps.recovery.resume(execution, { retryBlocked: false, fromWaiting: true });
      if (outcome === "lost")
        throw new BatonError(
          "invalid_command",
          `\`${execution.id}\` changed meanwhile (cancelled, or decided elsewhere).`,
        );
    } else {
      const failed = {
        status: "failed",
        errorCode: "rejected",
        errorMessage: rejection,
        finishedAt: now,
        waitingFor: null,
      };
      await executions.transition(execution.id, ["waiting"], failed, now);
    }
    return (await executions.get(execution.id)) ?? execution;
  }

  /**
   * The decision already written on the attempt, when the run is still waiting (a process died
   * between recording it and acting on it): true approved, false rejected, null still open/unknown.
   */
  private async recordedDecision(wait: ApprovalWait): Promise<boolean | null> {
    const attempt = await this.deps.executions.attempt(wait.attemptId);
    if (attempt?.status === "succeeded") return true;
    if (attempt?.status === "failed") return false;
    return null;
  }

  /** Resolves approvals whose timeout passed with their default action, and audits it. */
  async expire(): Promise<void> {
    const now = this.deps.clock.now();
    for (const execution of await this.deps.executions.list({ status: "waiting", limit: 10_000 })) {
      const wait = approvalOf(execution);
      if (!wait?.deadline || Date.parse(wait.deadline) > now.getTime()) continue;
      try {
        await this.decide(execution, wait, {
          approve: wait.onTimeout === "approve",
          by: null,
          note: "no decision in time",
        });
        await this.auditTimeout(execution, wait);
      } catch (error) {
        this.deps.logger.warn("could not resolve an approval that timed out", { execution: execution.id, error });
      }
    }
  }

  private async continuesOnRejection(execution: ExecutionRecord, wait: ApprovalWait): Promise<boolean> {
    const definition = await this.deps.catalog.definition(execution.workflowName, execution.workflowVersion);
    return definition.steps.find((step) => step.id === wait.stepId)?.onError === "continue";
  }

  private async auditTimeout(execution: ExecutionRecord, wait: ApprovalWait): Promise<void> {
    const now = this.deps.clock.now();
    const type = wait.onTimeout === "approve" ? "execution.approve" : "execution.reject";
    const opened = await this.deps.audit.open({
      at: now,
      platform: "orchestrator",
      workspace: null,
      channel: execution.channel,
      thread: execution.thread,
      actorId: "baton",
      actorName: "baton",
      text: `approval of ${wait.stepId} in ${execution.id} timed out: ${wait.onTimeout}`,
      dedupeKey: `approval-timeout:${execution.id}:${wait.attemptId}`,
    });
    if (opened === "duplicate") return;
    await this.deps.audit.close(opened.id, {
      finishedAt: now,
      command: { type, execution: execution.id, note: "no decision in time" },
      commandType: type,
      resolvedBy: null,
      confidence: null,
      outcome: "ok",
      errorCode: null,
      errorMessage: null,
      durationMs: 0,
      executionId: execution.id,
      llm: null,
    });
  }
}
