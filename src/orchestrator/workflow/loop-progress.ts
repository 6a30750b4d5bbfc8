import type { JsonValue } from "../tools/types.js";
import { evaluateCondition, evaluateExpression, parseExpression } from "./expression.js";
import type { LoopStep } from "./step-schemas.js";
import type { TemplateScope } from "./template.js";

/** A loop's state across iterations: the best and the last, and why it stopped. */
export class LoopProgress {
  private best: Record<string, JsonValue> | null = null;
  private bestScore = Number.NEGATIVE_INFINITY;
  private bestIteration = 0;
  private previous: Record<string, JsonValue> | null = null;
  private stale = 0;
  private iterations = 0;
  stopped: "until" | "plateau" | null = null;

  constructor(private readonly step: LoopStep) {}

  state(iteration: number) {
    return { iteration, previous: this.previous, best: this.best };
  }

  finishIteration(n: number, scope: TemplateScope): void {
    this.iterations = n;
    const ids = this.step.loop.steps.map((body) => body.id);
    const outputs = Object.fromEntries(
      ids.flatMap((id) => (scope.steps[id] ? [[id, scope.steps[id].output as JsonValue]] : [])),
    );
    const { score, until, plateau } = this.step.loop;
    const evaluationScope = { input: scope.input, steps: scope.steps, loop: this.state(n) };
    if (score !== undefined)
      this.weigh(n, outputs, Number(evaluateExpression(parseExpression(score), evaluationScope)));
    this.previous = outputs;
    if (until !== undefined && evaluateCondition(until, evaluationScope)) this.stopped = "until";
    else if (plateau !== undefined && this.stale >= plateau) this.stopped = "plateau";
  }

  private weigh(n: number, outputs: Record<string, JsonValue>, value: number): void {
    if (Number.isFinite(value) && value > this.bestScore) {
      this.best = outputs;
      this.bestScore = value;
      this.bestIteration = n;
      this.stale = 0;
    } else {
      this.stale += 1;
    }
  }

  /** With a score, the best iteration's outputs; otherwise the last one's. */
  result() {
    const scored = this.step.loop.score !== undefined && this.best !== null;
    return {
      iterations: this.iterations,
      stoppedBy: this.stopped ?? "maxIterations",
      bestIteration: scored ? this.bestIteration : this.iterations,
      score: scored ? this.bestScore : null,
      outputs: (scored ? this.best : this.previous) ?? {},
    };
  }
}
