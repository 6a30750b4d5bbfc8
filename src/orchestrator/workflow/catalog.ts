import { createHash } from "node:crypto";
import type { Clock } from "../../clock.js";
import type { WorkflowHint } from "../../commands/workflow-hint.js";
import type { WorkflowRecord, WorkflowRepository } from "../../db/repositories/workflow-repository.js";
import { BatonError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { ToolRegistry } from "../tools/registry.js";
import { loadWorkflowDirectory, WorkflowDefinition } from "./definition.js";

export interface CurrentWorkflow {
  record: WorkflowRecord;
  definition: WorkflowDefinition;
}

/**
 * Workflow definitions: YAML files in the workflows directory are the source, the database holds
 * every version. A changed file becomes a new version on start; executions stay pinned to theirs.
 */
const CURRENT_MS = 1000;

export class WorkflowCatalog {
  private problems: string[] = [];
  private readonly parsed = new Map<string, WorkflowDefinition>();
  private readonly currentRecords = new Map<string, { readAt: number; record: WorkflowRecord }>();
  private hintsCache: WorkflowHint[] = [];

  constructor(
    private readonly repository: WorkflowRepository,
    private readonly tools: ToolRegistry,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Loads the directory into the database; one bad file is reported and the rest still load. */
  async syncFromDirectory(dir: string): Promise<void> {
    const { definitions, errors } = await loadWorkflowDirectory(dir, this.tools);
    this.problems = errors.map((error) => error.message);
    for (const error of errors) this.logger.warn("workflow definition rejected", { error: error.message });
    for (const definition of definitions) {
      const saved = await this.repository.saveVersion({
        name: definition.name,
        description: definition.description ?? null,
        definition,
        checksum: checksum(definition),
        source: `${dir.replace(/\/$/, "")}/${definition.name}.yaml`,
        createdBy: null,
        now: this.clock.now(),
      });
      if (saved.created)
        this.logger.info("workflow version saved", { workflow: definition.name, version: saved.version });
    }
    await this.refreshHints();
  }

  /** Saves a definition from outside the directory (an applied improvement) as the current version. */
  async saveVersion(definition: WorkflowDefinition, source: string, createdBy: string | null): Promise<number> {
    const saved = await this.repository.saveVersion({
      name: definition.name,
      description: definition.description ?? null,
      definition,
      checksum: checksum(definition),
      source,
      createdBy,
      now: this.clock.now(),
    });
    await this.refreshHints();
    return saved.version;
  }

  /** Makes an earlier (or later) stored version current; runs in flight stay on theirs. */
  async makeCurrent(name: string, version: number): Promise<void> {
    await this.current(name);
    if (!(await this.repository.setCurrent(name, version, this.clock.now()))) {
      throw new BatonError(
        "not_found",
        `Workflow \`${name}\` has no version ${version}; \`/orchestrate show ${name}\` lists them.`,
      );
    }
    await this.refreshHints();
  }

  /** Problems found in the last sync, one sentence each (naming file, step and field). */
  loadProblems(): string[] {
    return [...this.problems];
  }

  list(): Promise<WorkflowRecord[]> {
    return this.repository.list();
  }

  /**
   * The workflow's current version. Which version is current is read at most once per
   * CURRENT_MS (every run asks): a change made here clears it at once, one made by another replica
   * (a rollback) reaches new runs here within CURRENT_MS. Runs stay pinned to what they started on.
   */
  async current(name: string): Promise<CurrentWorkflow> {
    const cached = this.currentRecords.get(name);
    let record = cached && this.clock.now().getTime() - cached.readAt <= CURRENT_MS ? cached.record : null;
    if (!record) {
      record = await this.repository.get(name);
      if (!record) throw await this.notFound(name);
      this.currentRecords.set(name, { readAt: this.clock.now().getTime(), record });
    }
    return { record, definition: await this.definition(name, record.currentVersion) };
  }

  async definition(name: string, version: number): Promise<WorkflowDefinition> {
    // A stored version never changes, so each is read and validated once per process.
    const key = `${name}@${version}`;
    const cached = this.parsed.get(key);
    if (cached) return cached;
    const definition = await this.load(name, version);
    this.parsed.set(key, definition);
    return definition;
  }

  private async load(name: string, version: number): Promise<WorkflowDefinition> {
    const stored = await this.repository.version(name, version);
    if (!stored) throw new BatonError("not_found", `Workflow \`${name}\` has no version ${version}.`);
    const parsed = WorkflowDefinition.safeParse(stored.definition);
    if (!parsed.success) {
      throw new BatonError("workflow_invalid", `Stored version ${version} of \`${name}\` is no longer valid.`, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  versions(name: string) {
    return this.repository.versions(name);
  }

  /** Names and inputs of the known workflows, for the routers. Refreshed on sync. */
  hints(): WorkflowHint[] {
    return this.hintsCache;
  }

  private async refreshHints(): Promise<void> {
    // Something changed which versions are current: read them again.
    this.currentRecords.clear();
    const hints: WorkflowHint[] = [];
    for (const record of await this.repository.list()) {
      const definition = await this.definition(record.name, record.currentVersion).catch((error: unknown) => {
        this.logger.warn("a stored workflow version could not be read; the routers are not told of it", {
          workflow: record.name,
          version: record.currentVersion,
          error,
        });
        return null;
      });
      if (!definition) continue;
      hints.push({
        name: record.name,
        ...(definition.description !== undefined && { description: definition.description }),
        inputs: Object.entries(definition.inputs ?? {}).map(([inputName, spec]) => ({
          name: inputName,
          required: spec.required ?? false,
          ...(spec.description !== undefined && { description: spec.description }),
          ...(spec.secret === true && { secret: true }),
        })),
      });
    }
    this.hintsCache = hints;
  }

  private async notFound(name: string): Promise<BatonError> {
    const known = (await this.repository.list()).map((w) => `\`${w.name}\``);
    const list = known.length > 0 ? ` Known workflows: ${known.join(", ")}.` : " No workflows are loaded.";
    return new BatonError("not_found", `There is no workflow called \`${name}\`.${list}`);
  }
}

/** Stable over key order, so reformatting a YAML file doesn't mint a version. */
export function checksum(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
