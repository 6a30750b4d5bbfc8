import type { AgentRecord } from "../../db/repositories/agent-repository.js";
import type { ChatCall, ChatModel } from "../../llm/chat-model.js";
import type { LlmMessage } from "../../llm/provider.js";
import { type QueryToolDeps, queryToolSpecs, runQueryTool } from "./query-tools.js";

export interface LoopAnswer {
  text: string;
  provider: string;
  model: string;
  /** Model turns taken (each is one LLM call). */
  turns: number;
  /** The turn cap was reached before the model gave a final answer. */
  capped: boolean;
  toolCalls: string[];
}

/**
 * One question to one agent: the model may call its read-only query tools, at most `maxTurns`
 * model calls in all. Tools stay offered on the last turn (Anthropic rejects tool history without
 * tool definitions); a model still calling tools then gets the cap's note instead of an answer.
 */
export async function runToolLoop(
  agent: AgentRecord,
  question: string,
  deps: {
    chat: ChatModel;
    queries: QueryToolDeps;
    /** `route` here overrides the agent's own (a run continuing on a cheaper model). */
    call: Omit<ChatCall, "route"> & { route?: readonly string[] };
    signal?: AbortSignal;
  },
): Promise<LoopAnswer> {
  const { config } = agent;
  const tools = queryToolSpecs(config.tools);
  const messages: LlmMessage[] = [{ role: "user", content: question }];
  const toolCalls: string[] = [];
  let provider = "";
  let model = "";
  for (let turn = 1; turn <= config.maxTurns; turn += 1) {
    const answer = await deps.chat.complete(
      {
        system: config.systemPrompt,
        tools,
        toolChoice: "auto",
        messages,
        temperature: config.temperature,
        ...(deps.signal && { signal: deps.signal }),
      },
      { route: config.route, ...deps.call, agentId: agent.id },
    );
    ({ provider } = answer);
    const { response } = answer;
    model = response.model;
    if (response.toolCalls.length === 0) {
      return { text: response.text?.trim() || "(no answer)", provider, model, turns: turn, capped: false, toolCalls };
    }
    if (turn === config.maxTurns) break;
    messages.push({ role: "assistant", content: response.text ?? "", toolCalls: response.toolCalls });
    for (const call of response.toolCalls) {
      toolCalls.push(call.name);
      const result = await runQueryTool(call.name, call.argumentsJson, config.tools, deps.queries);
      messages.push({ role: "tool", toolCallId: call.id, content: result.content, isError: result.isError });
    }
  }
  return { text: capNote(config.maxTurns), provider, model, turns: config.maxTurns, capped: true, toolCalls };
}

function capNote(maxTurns: number): string {
  return `I stopped after ${maxTurns} turns without a final answer; ask a narrower question.`;
}
