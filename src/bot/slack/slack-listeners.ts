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
import {
  ClickConversation,
  type ConversationDeps,
  decidedLine,
  type Respond,
  SlackConversation,
} from "./slack-conversation.js";
import {
  commandRequest,
  isFromPerson,
  type MessageEventPayload,
  messageRequest,
  PLATFORM,
  type SlashCommandPayload,
} from "./slack-requests.js";
import type { PostedLog, SlackWriter, Target } from "./slack-writer.js";
import type { SlackUserGroups } from "./user-groups.js";
import type { UserNames } from "./user-names.js";
import type { WorkQueue } from "./work-queue.js";

export interface ListenerDeps {
  dispatcher: Dispatcher;
  writer: SlackWriter;
  confirmations: PendingConfirmations;
  names: UserNames;
  /** The user groups grants and approvals name, and who is in them. */
  groups: Pick<SlackUserGroups, "of">;
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
 * Bolt listeners: each acks first (Slack's 3 s deadline; processBeforeResponse stays false; Bolt
 * acks events itself), then queues the work: a ChatRequest for the dispatcher, which parses,
 * routes, checks policy, runs, audits and answers through a SlackConversation.
 */
export function registerListeners(app: App, deps: ListenerDeps): void {
  const handlers = new SlackHandlers(deps);
  const onCommand = async ({ ack, command, respond }: SlackCommandMiddlewareArgs) => {
    await ack();
    const receivedAt = deps.clock.now();
    deps.work.push(() => handlers.command(command as SlashCommandPayload, respond, receivedAt));
  };
  app.command("/orchestrate", onCommand);
  app.command("/improve", onCommand);
  app.event("app_mention", async ({ event, body, context }) => {
    deps.work.push(() => handlers.message(event as unknown as MessageEventPayload, body, context.botUserId ?? null));
  });
  app.event("message", async ({ event, body, context }) => {
    const message = event as unknown as MessageEventPayload;
    if (message.channel_type !== "im") return;
    deps.work.push(() => handlers.message(message, body, context.botUserId ?? null));
  });
  app.action<BlockAction<SlackButton>>(
    { type: "block_actions", action_id: /^baton:/ },
    async ({ ack, body, action }) => {
      await ack();
      deps.work.push(() => handlers.click(body, action));
    },
  );
  app.event("app_home_opened", async ({ event }) => {
    if (event.tab !== "home") return;
    deps.work.push(() => deps.home.publish(event.user));
  });
}

class SlackHandlers {
  private readonly conversationDeps: ConversationDeps;

  constructor(private readonly deps: ListenerDeps) {
    this.conversationDeps = {
      writer: deps.writer,
      confirmations: deps.confirmations,
      clock: deps.clock,
      timeZone: deps.timeZone,
    };
  }

  async command(payload: SlashCommandPayload, respond: Respond, receivedAt: Date): Promise<void> {
    const name = await this.deps.names.nameOf(payload.user_id, payload.user_name);
    const request = commandRequest(payload, name, receivedAt);
    const target = { workspace: payload.team_id, channel: payload.channel_id, threadTs: null };
    const direct = payload.channel_id.startsWith("D");
    await this.run(request, new SlackConversation(this.conversationDeps, target, payload.user_id, direct, respond));
  }

  async message(event: MessageEventPayload, body: unknown, botUserId: string | null): Promise<void> {
    if (!isFromPerson(event, botUserId)) return;
    const envelope = body as { event_id?: string; team_id?: string };
    if (!envelope.event_id || !event.user) return;
    const user = { id: event.user, name: await this.deps.names.nameOf(event.user) };
    const ids = { eventId: envelope.event_id, teamId: envelope.team_id ?? null };
    const request = messageRequest(event, ids, user, botUserId, this.deps.clock.now());
    if (request.text.length === 0) request.text = "help";
    const target = { workspace: request.workspace, channel: event.channel, threadTs: request.thread };
    const direct = event.channel_type === "im";
    await this.run(request, new SlackConversation(this.conversationDeps, target, event.user, direct));
  }

  async click(body: BlockAction<SlackButton>, button: SlackButton): Promise<void> {
    const action = decodeAction(button.action_id);
    const user = body.user.id;
    // Slack does not redeliver clicks: record each one as it arrives, once.
    const first = await recordClick(this.deps, body, body.channel?.id ?? body.container?.channel_id ?? user);
    if (!first || !action) return;
    // A click from the Home tab has no channel: answer in the clicker's DM with baton.
    const channel = body.channel?.id ?? body.container?.channel_id ?? (await this.deps.writer.directChannel(user));
    const target = { workspace: body.team?.id ?? null, channel, threadTs: body.message?.thread_ts ?? null };
    const line = decidedLine(DECIDED[action.kind], user, this.deps.clock.now(), this.deps.timeZone);
    if (action.kind === "approve" || action.kind === "reject") await this.decide(body, action, target, line);
    else await this.answerConfirmation(body, action, target, line);
  }

  /** Approve/Reject become the typed command, so policy, approvers and audit apply as typed. */
  private async decide(body: BlockAction<SlackButton>, action: ButtonAction, target: Target, line: string) {
    const user = body.user.id;
    const request: ChatRequest = {
      platform: PLATFORM,
      workspace: target.workspace,
      channel: target.channel,
      thread: target.threadTs,
      actor: { id: user, name: await this.deps.names.nameOf(user, body.user.username), platform: PLATFORM },
      text: commandTextFor(action) ?? "",
      dedupeKey: `slack:${body.trigger_id}`,
      receivedAt: this.deps.clock.now(),
    };
    const clicked = body.message ? { ts: body.message.ts } : null;
    await this.run(request, new ClickConversation(this.conversationDeps, target, user, clicked, line, !clicked));
    if (!clicked) await this.deps.home.publish(user);
  }

  private async answerConfirmation(body: BlockAction<SlackButton>, action: ButtonAction, target: Target, line: string) {
    if (action.kind !== "confirm" && action.kind !== "decline") return;
    const user = body.user.id;
    const answered = this.deps.confirmations.answer(action.token, user, action.kind === "confirm");
    const conversation = new SlackConversation(this.conversationDeps, target, user, false);
    if (answered === "not-yours") {
      await conversation.post(
        errorReply("Only the person who asked can answer this confirmation; it is their command."),
      );
    } else if (answered === "unknown") {
      await conversation.post(
        errorReply("This confirmation is no longer open (answered, timed out, or baton restarted)."),
      );
    } else if (body.message) {
      const blocks = (body.message.blocks ?? []) as SlackBlock[];
      const message = { text: String(body.message.text ?? line), blocks: markDecided(blocks, line) };
      await this.deps.writer
        .update(target.channel, body.message.ts, message)
        .catch((error) => this.deps.logger.warn("could not mark a confirmation as answered", { error }));
    }
  }

  private async run(request: ChatRequest, conversation: Conversation): Promise<void> {
    try {
      // Slack events carry no group memberships: grants and approver lists on user groups need them.
      const groups = await this.deps.groups.of(request.actor.id);
      await this.deps.dispatcher.dispatch({ ...request, actor: { ...request.actor, ...groups } }, conversation);
    } catch (error) {
      this.deps.logger.error("slack request could not be handled", { dedupeKey: request.dedupeKey, error });
    }
  }
}

async function recordClick(deps: ListenerDeps, body: BlockAction<SlackButton>, channel: string): Promise<boolean> {
  try {
    return await deps.log.record({
      at: deps.clock.now(),
      kind: "click",
      workspace: body.team?.id ?? null,
      channel,
      ts: body.message?.ts ?? null,
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
