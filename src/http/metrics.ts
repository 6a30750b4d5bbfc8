import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Dispatcher } from "../bot/dispatch.js";
import type { OrchestratorEventBus } from "../orchestrator/events.js";

export interface MetricsDeps {
  dispatcher: Pick<Dispatcher, "observe">;
  events: Pick<OrchestratorEventBus, "on">;
  /** Executions per status, read when Prometheus scrapes. */
  executionCounts(): Promise<Record<string, number>>;
  /** Requests whose audit row this process opened and has not closed yet. */
  auditPending(): number;
}

/**
 * baton's Prometheus metrics (`GET /metrics`), in a registry of its own: requests by platform,
 * command type and outcome, dispatch latency, executions by status, step attempts, LLM calls,
 * tokens and cost, schedule fires and digest deliveries, audit rows pending, and Node's own
 * (event-loop lag, memory). Counters follow the dispatcher and the event bus; gauges are read
 * at scrape time.
 * @see https://prometheus.io/docs/instrumenting/writing_exporters/
 */
export class BatonMetrics {
  readonly registry = new Registry();
  private readonly stops: Array<() => void> = [];

  constructor(deps: MetricsDeps) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "baton_", eventLoopMonitoringPrecision: 20 });
    const requests = new Counter({
      name: "baton_requests_total",
      help: "Requests by platform, command type and outcome.",
      labelNames: ["platform", "command", "outcome"] as const,
      registers,
    });
    const latency = new Histogram({
      name: "baton_dispatch_duration_seconds",
      help: "From arrival to the audit row closed, by platform.",
      labelNames: ["platform"] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.stops.push(
      deps.dispatcher.observe((settled) => {
        requests.inc({ platform: settled.platform, command: settled.commandType ?? "none", outcome: settled.outcome });
        latency.observe({ platform: settled.platform }, settled.durationMs / 1000);
      }),
    );
    this.gauges(deps, registers);
    this.engine(deps, registers);
  }

  private gauges(deps: MetricsDeps, registers: Registry[]): void {
    new Gauge({
      name: "baton_executions",
      help: "Executions by status.",
      labelNames: ["status"] as const,
      registers,
      async collect() {
        this.reset();
        for (const [status, count] of Object.entries(await deps.executionCounts())) this.set({ status }, count);
      },
    });
    new Gauge({
      name: "baton_audit_rows_pending",
      help: "Requests accepted by this process whose audit row is not closed yet.",
      registers,
      collect() {
        this.set(deps.auditPending());
      },
    });
  }

  private engine(deps: MetricsDeps, registers: Registry[]): void {
    const attempts = new Counter({
      name: "baton_step_attempts_total",
      help: "Finished step attempts by tool and outcome.",
      labelNames: ["tool", "outcome"] as const,
      registers,
    });
    const calls = new Counter({
      name: "baton_llm_calls_total",
      help: "LLM calls by provider, model and outcome.",
      labelNames: ["provider", "model", "outcome"] as const,
      registers,
    });
    const tokens = new Counter({
      name: "baton_llm_tokens_total",
      help: "LLM tokens by provider, model and direction (input, cached_input, output).",
      labelNames: ["provider", "model", "direction"] as const,
      registers,
    });
    const cost = new Counter({
      name: "baton_llm_cost_usd_total",
      help: "LLM cost in US dollars by provider and model (calls with a known price).",
      labelNames: ["provider", "model"] as const,
      registers,
    });
    const fires = new Counter({
      name: "baton_schedule_fires_total",
      help: "Schedule fires on this replica by outcome.",
      labelNames: ["outcome"] as const,
      registers,
    });
    const deliveries = new Counter({
      name: "baton_digest_deliveries_total",
      help: "Digests and run reports posted outside a request, by platform and outcome.",
      labelNames: ["platform", "outcome"] as const,
      registers,
    });
    this.stops.push(
      deps.events.on("step.finished", (attempt) =>
        attempts.inc({ tool: attempt.tool ?? attempt.stepKind, outcome: attempt.status }),
      ),
      deps.events.on("llm.called", (call) => {
        const model = { provider: call.provider, model: call.model };
        calls.inc({ ...model, outcome: call.outcome });
        tokens.inc({ ...model, direction: "input" }, call.usage.inputTokens);
        tokens.inc({ ...model, direction: "cached_input" }, call.usage.cachedInputTokens);
        tokens.inc({ ...model, direction: "output" }, call.usage.outputTokens);
        if (call.costUsd !== null) cost.inc(model, call.costUsd);
      }),
      deps.events.on("schedule.fired", (fire) => fires.inc({ outcome: fire.outcome })),
      deps.events.on("digest.delivered", (delivery) => deliveries.inc(delivery)),
    );
  }

  /** The Prometheus text exposition. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.registry.clear();
  }
}
