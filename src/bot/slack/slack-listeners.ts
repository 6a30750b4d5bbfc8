import type { App, BlockAction, ButtonAction as SlackButton, SlackCommandMiddlewareArgs } from "@slack/bolt";
import type { Clock } from "../../clock.js";
import type { Logger } from "../../logger.js";
import { type ButtonAction, commandTextFor, decodeAction } from "../actions.js";
import type { ChatRequest, Conversation } from "../chat.js";
import type { Dispatcher } from "../dispatch.js";
import { errorReply } from "../reply.js";
import { markDecided, type SlackBlock } from "./block-kit.js";
import type { PendingConfirmations } from "./confirmations.js";
import type { HomeTab } from "./home-tab.js";
import { ClickConversation, type ConversationDeps, decidedLine, SlackConversation } from "./slack-conversation.js";
import {
  commandRequest,
  isFromPerson,
  type MessageEventPayload,
  messageRequest,
  PLATFORM,
  type SlashCommandPayload,
} from "./slack-requests.js";
import type { PostedLog, SlackWriter } from "./slack-writer.js";
import type { UserNames } from "./user-names.js";
import type { WorkQueue } from "./work-queue.js";

export interface ListenerDeps {
  dispatcher: Dispatcher;
  writer: SlackWriter;
  confirmations: PendingConfirmations;
  names: UserNames;
  home: HomeTab;
  log: PostedLog;
  /** Where the work after each ack waits its turn. */
  work: WorkQueue;
  clock: Clock;
  timeZone: string;
  logger: Logger;
}

const DECIDED: Record<ButtonAction["kind"], string> = {
  approve: "✅ Approved",
  reject: "🚫 Rejected",
  confirm: "✅ Confirmed",
  decline: "✖️ Cancelled",
};

/**
 * Bolt listeners: each acks first (Slack's 3 s deadline; processBeforeResponse stays false), then
 * hands a ChatRequest to the dispatcher, which parses, routes, checks policy, runs, audits and
 * answers through a SlackConversation.
 */
export function registerListeners(app: App, deps: ListenerDeps): void {
  const conversationDeps: ConversationDeps = {
    writer: deps.writer,
    confirmations: deps.confirmations,
    clock: deps.clock,
    timeZone: deps.timeZone,
  };
  const run = (request: ChatRequest, conversation: Conversation) =>
    deps.dispatcher.dispatch(request, conversation).catch((error) => {
      deps.logger.error("slack request could not be handled", { dedupeKey: request.dedupeKey, error });
    });

  const onCommand = async ({ ack, command, respond }: SlackCommandMiddlewareArgs) => {
    await ack();
    const payload = command as SlashCommandPayload;
    const receivedAt = deps.clock.now();
    deps.work.push(async () => {
      const name = await deps.names.nameOf(payload.user_id, payload.user_name);
      const request = commandRequest(payload, name, receivedAt);
      const target = { workspace: payload.team_id, channel: payload.channel_id, threadTs: null };
      const direct = payload.channel_id.startsWith("D");
      const conversation = new SlackConversation(conversationDeps, target, payload.user_id, direct, respond);
      await run(request, conversation);
    });
  };
  app.command("/orchestrate", onCommand);
  app.command("/improve", onCommand);

  const onMessage = async (event: MessageEventPayload, body: unknown, botUserId: string | null) => {
    if (!isFromPerson(event, botUserId)) return;
    const envelope = body as { event_id?: string; team_id?: string };
    if (!envelope.event_id || !event.user) return;
    const user = { id: event.user, name: await deps.names.nameOf(event.user) };
    const teamId = envelope.team_id ?? null;
    const request = messageRequest(event, { eventId: envelope.event_id, teamId }, user, botUserId, deps.clock.now());
    if (request.text.length === 0) request.text = "help";
    const target = { workspace: request.workspace, channel: event.channel, threadTs: request.thread };
    const direct = event.channel_type === "im";
    await run(request, new SlackConversation(conversationDeps, target, event.user, direct));
  };
  app.event("app_mention", async ({ event, body, context }) => {
    await onMessage(event as unknown as MessageEventPayload, body, context.botUserId ?? null);
  });
  app.event("message", async ({ event, body, context }) => {
    const message = event as unknown as MessageEventPayload;
    if (message.channel_type !== "im") return;
    await onMessage(message, body, context.botUserId ?? null);
  });

  app.action<BlockAction<SlackButton>>(
    { type: "block_actions", action_id: /^baton:/ },
    async ({ ack, body, action }) => {
      await ack();
      await onClick(deps, conversationDeps, run, body, action);
    },
  );

  app.event("app_home_opened", async ({ event }) => {
    if (event.tab !== "home") return;
    await deps.home.publish(event.user);
  });
}

type Run = (request: ChatRequest, conversation: Conversation) => Promise<unknown>;

async function onClick(
  deps: ListenerDeps,
  conversationDeps: ConversationDeps,
  run: Run,
  body: BlockAction<SlackButton>,
  button: SlackButton,
): Promise<void> {
  const action = decodeAction(button.action_id);
  const user = body.user.id;
  const messageTs = body.message?.ts ?? null;
  const fromHome = !body.message;
  // Slack does not redeliver clicks: record each one as it arrives, once.
  const first = await recordClick(deps, body, body.channel?.id ?? body.container?.channel_id ?? user, messageTs);
  if (!first || !action) return;
  const channel = body.channel?.id ?? body.container?.channel_id ?? (await deps.writer.directChannel(user));
  const target = { workspace: body.team?.id ?? null, channel, threadTs: body.message?.thread_ts ?? null };
  const at = deps.clock.now();
  const line = decidedLine(DECIDED[action.kind], user, at, deps.timeZone);
  const text = commandTextFor(action);
  if (text !== null) {
    const request: ChatRequest = {
      platform: PLATFORM,
      workspace: target.workspace,
      channel,
      thread: target.threadTs,
      actor: { id: user, name: await deps.names.nameOf(user, body.user.username), platform: PLATFORM },
      text,
      dedupeKey: `slack:${body.trigger_id}`,
      receivedAt: at,
    };
    const clicked = messageTs ? { ts: messageTs } : null;
    await run(request, new ClickConversation(conversationDeps, target, user, clicked, line, fromHome));
    if (fromHome) await deps.home.publish(user);
    return;
  }
  if (action.kind !== "confirm" && action.kind !== "decline") return;
  const answered = deps.confirmations.answer(action.token, user, action.kind === "confirm");
  const conversation = new SlackConversation(conversationDeps, target, user, false);
  if (answered === "not-yours") {
    await conversation.post(errorReply("Only the person who asked can answer this confirmation; it is their command."));
  } else if (answered === "unknown") {
    await conversation.post(
      errorReply("This confirmation is no longer open (answered, timed out, or baton restarted)."),
    );
  } else if (messageTs && body.message) {
    const blocks = (body.message.blocks ?? []) as SlackBlock[];
    await deps.writer
      .update(channel, messageTs, { text: String(body.message.text ?? line), blocks: markDecided(blocks, line) })
      .catch((error) => deps.logger.warn("could not mark a confirmation as answered", { channel, error }));
  }
}

async function recordClick(
  deps: ListenerDeps,
  body: BlockAction<SlackButton>,
  channel: string,
  messageTs: string | null,
): Promise<boolean> {
  try {
    return await deps.log.record({
      at: deps.clock.now(),
      kind: "click",
      workspace: body.team?.id ?? null,
      channel,
      ts: messageTs,
      threadTs: body.message?.thread_ts ?? null,
      userId: body.user.id,
      key: `click:${body.trigger_id}`,
      detail: body.actions.map((a) => a.action_id).join(" "),
    });
  } catch (error) {
    // Approve/reject still reach the audit log through the dispatcher; do not drop the click.
    deps.logger.error("could not record a slack click", { trigger: body.trigger_id, error });
    return true;
  }
}
