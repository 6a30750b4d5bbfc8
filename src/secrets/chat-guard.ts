import type { Command } from "../commands/commands.js";
import type { WorkflowHint } from "../commands/workflow-hint.js";
import { redactChatText, secretsInText, typedSecrets, withoutTypedSecrets } from "./chat-secrets.js";

/**
 * The dispatcher's view of secrets typed into chat: which workflow inputs are `secret: true`
 * (from the catalog's hints, refreshed on every sync), and what a request's text or command holds.
 */
export class ChatSecretGuard {
  constructor(private readonly hints: () => readonly WorkflowHint[]) {}

  /** The text as the audit log may keep it. */
  auditText(text: string): string {
    return redactChatText(text, this.secretInputNames());
  }

  /** Secrets in the raw text, checked before the text reaches the grammar's echo or an LLM. */
  inText(text: string): string[] {
    return secretsInText(text, this.secretInputNames());
  }

  /** Secrets in a resolved command (by key name, `secret: true`, or shape). */
  inCommand(command: Command): string[] {
    return typedSecrets(command, (workflow) => this.secretInputsOf(workflow));
  }

  /** The command as the audit log may keep it (redactValue then handles names and shapes). */
  withoutSecrets(command: Command): Command {
    return withoutTypedSecrets(command, this.inCommand(command));
  }

  private secretInputsOf(workflow: string): ReadonlySet<string> {
    const hint = this.hints().find((candidate) => candidate.name === workflow);
    return new Set(hint?.inputs.filter((input) => input.secret === true).map((input) => input.name));
  }

  private secretInputNames(): ReadonlySet<string> {
    return new Set(
      this.hints().flatMap((hint) => hint.inputs.filter((input) => input.secret === true).map((input) => input.name)),
    );
  }
}
