import { randomUUID } from "node:crypto";
import { InteractionResponseType, MessageFlags, type REST } from "discord.js";
import type { Clock } from "../../clock.js";
import type { Logger } from "../../logger.js";
import { type ButtonAction, commandTextFor, decodeAction } from "../actions.js";
import type { ChatRequest } from "../chat.js";
import type { Dispatcher } from "../dispatch.js";
import { errorReply, type Reply, reply } from "../reply.js";
import type { DispatchOutcome } from "../request-state.js";
import { ChannelMessages } from "./channel-messages.js";
import type { PendingConfirmations } from "./confirmations.js";
import { autocompleteChoices, type Choice } from "./discord-autocomplete.js";
import { missingOption } from "./discord-commands.js";
import {
  ChannelConversation,
  type DiscordConversation,
  InteractionConversation,
  type OriginalKind,
} from "./discord-conversation.js";
import type { IncomingInteraction } from "./discord-interaction.js";
import { renderDiscordMessage } from "./discord-renderer.js";
import { type InteractionProblem, refusal } from "./interaction-payload.js";
import { type InteractionAck, InteractionResponder, ORIGINAL } from "./interaction-responder.js";

/** A message that may be meant for baton: a mention in a channel or thread, or a DM. */
export interface IncomingMessage {
  id: string;
  guildId: string | null;
  /** Where replies go: the channel, the thread or the DM channel. */
  replyChannelId: string;
  channelId: string;
  threadId: string | null;
  author: { id: string; name: string; bot: boolean };
  content: string;
  mentionsBot: boolean;
  isDirect: boolean;
}

export interface DiscordHandlerDeps {
  dispatcher: Dispatcher;
  rest: REST;
  applicationId: string;
  confirmations: PendingConfirmations;
  clock: Clock;
  logger: Logger;
  /** Whether `rest` carries a bot token: channel messages (mentions, work outliving a token) need one. */
  botToken: boolean;
  /** Work that takes longer than this ends with a follow-up that pings the asker (default 10 s). */
  notifyAfterMs?: number;
}

/** Interaction tokens work for 15 minutes; stop relying on them a minute early. */
const TOKEN_LIFETIME_MS = 14 * 60_000;

/** Sends the first answer to an interaction: a callback POST on the gateway, the HTTP response on the endpoint. */
export type Acknowledge = (ack: InteractionAck) => Promise<void>;

const EPHEMERAL = MessageFlags.Ephemeral;
const PRIVATE_REQUEST = /^\/orchestrate\s+(?:help|whoami|access|grants|roles|link|unlink)\b/i;

/**
 * Discord events → ChatRequests for the one dispatcher (DESIGN.md): slash commands and button
 * clicks are answered within 3 s (a deferral) before any work; mentions and DMs are answered in
 * the channel or thread. Shared by the gateway adapter and the HTTP interactions endpoint.
 */
export class DiscordHandler {
  constructor(private readonly deps: DiscordHandlerDeps) {}

  async handleInteraction(interaction: IncomingInteraction, acknowledge: Acknowledge): Promise<void> {
    const responder = new InteractionResponder(this.deps.rest, interaction);
    try {
      if (interaction.kind.type === "command") {
        await this.command(interaction, interaction.kind, responder, acknowledge);
      } else if (interaction.kind.type === "autocomplete") {
        await this.autocomplete(interaction, interaction.kind.focused, acknowledge);
      } else {
        await this.button(interaction, interaction.kind.customId, responder, acknowledge);
      }
    } catch (error) {
      this.deps.logger.error("discord interaction failed", { interaction: interaction.id, error });
    }
  }

  /**
   * An interaction baton cannot read (no user, no channel, an unknown command, a missing option):
   * nothing runs, its audit row says `invalid` and why, and the person gets that one sentence when
   * the interaction can still be answered. Never throws.
   */
  async refuse(problem: InteractionProblem, acknowledge: Acknowledge | null): Promise<void> {
    const { salvage } = problem;
    this.deps.logger.warn("refused a malformed discord interaction", { code: problem.code, interaction: salvage.id });
    const request: ChatRequest = {
      platform: "discord",
      workspace: salvage.guildId,
      channel: salvage.channelId,
      thread: null,
      actor: { id: salvage.userId ?? "unknown", name: salvage.userName ?? "unknown", platform: "discord" },
      text: salvage.command ? `/${salvage.command}` : "(an unreadable Discord interaction)",
      dedupeKey: salvage.id ? `discord:${salvage.id}` : `discord:invalid:${randomUUID()}`,
      receivedAt: this.deps.clock.now(),
    };
    await this.deps.dispatcher.recordInvalid(request, problem);
    await acknowledge?.(ephemeralAnswer(problem.message)).catch((error: unknown) => {
      this.deps.logger.warn("could not answer a malformed discord interaction", { code: problem.code, error });
    });
  }

  async handleMessage(message: IncomingMessage): Promise<void> {
    if (message.author.bot) return;
    if (!message.isDirect && !message.mentionsBot) return;
    const mention = new RegExp(`<@!?${this.deps.applicationId}>`, "g");
    const text = message.content.replace(mention, " ").replace(/\s+/g, " ").trim();
    const conversation = new ChannelConversation({
      channel: new ChannelMessages(this.deps.rest, message.replyChannelId),
      replyTo: message.id,
      confirmations: this.deps.confirmations,
      requesterId: message.author.id,
    });
    const request = this.request(message.id, message.author, message, text || "/orchestrate help");
    await this.dispatch(request, conversation);
  }

  /**
   * Choices for `/orchestrate request` as the person types: only what they may run here. Typing
   * is not a request, so nothing is audited; a lookup that fails offers nothing rather than guessing.
   */
  private async autocomplete(interaction: IncomingInteraction, typed: string, acknowledge: Acknowledge) {
    let choices: Choice[] = [];
    try {
      const actor = this.request(interaction.id, interaction.user, interaction, "").actor;
      const { permitted, workflows } = await this.deps.dispatcher.runnableHere(actor, interaction.channelId);
      choices = autocompleteChoices(permitted, workflows, typed);
    } catch (error) {
      this.deps.logger.warn("could not offer discord autocomplete choices", { interaction: interaction.id, error });
    }
    await acknowledge({ type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices } });
  }

  private async command(
    interaction: IncomingInteraction,
    kind: Extract<IncomingInteraction["kind"], { type: "command" }>,
    responder: InteractionResponder,
    acknowledge: Acknowledge,
  ): Promise<void> {
    const text = commandText(kind.name, kind.options);
    const missing = missingOption(kind.name, kind.options);
    if (text === null || missing !== null) {
      const problem =
        text === null
          ? {
              code: "unknown_command",
              message: `baton does not know the command /${kind.name}; try /orchestrate help.`,
            }
          : { code: `missing_option_${missing}`, message: refusal(`/${kind.name} came without its ${missing} option`) };
      await this.refuse({ ...problem, salvage: salvageOf(interaction, kind.name) }, acknowledge);
      return;
    }
    // Help and who-may-do-what are for the asker alone; everything else is answered in the open
    // (errors turn ephemeral later).
    const original: OriginalKind = PRIVATE_REQUEST.test(text) ? "deferred-ephemeral" : "deferred-public";
    await acknowledge({
      type: InteractionResponseType.DeferredChannelMessageWithSource,
      ...(original === "deferred-ephemeral" && { data: { flags: EPHEMERAL } }),
    });
    const conversation = this.interactionConversation(interaction, responder, { original });
    await this.dispatch(this.request(interaction.id, interaction.user, interaction, text), conversation, async () => {
      await responder.edit(
        ORIGINAL,
        renderDiscordMessage(errorReply("baton could not handle that request; try again.")),
      );
    });
  }

  private async button(
    interaction: IncomingInteraction,
    customId: string,
    responder: InteractionResponder,
    acknowledge: Acknowledge,
  ): Promise<void> {
    const action = decodeAction(customId);
    if (action === null) {
      await acknowledge(ephemeralAnswer("This button is not one of baton's, or it has expired."));
      return;
    }
    if (action.kind === "confirm" || action.kind === "decline") {
      await this.answerConfirmation(interaction, action, acknowledge);
      return;
    }
    const text = commandTextFor(action);
    if (text === null) return;
    await acknowledge({ type: InteractionResponseType.DeferredMessageUpdate });
    const decided = action.kind === "approve" ? "Approved" : "Rejected";
    const conversation = this.interactionConversation(interaction, responder, {
      original: "clicked",
      decidedBy: [`${decided} by <@${interaction.user.id}> (${interaction.user.name}) ${this.when()}`],
    });
    await this.dispatch(this.request(interaction.id, interaction.user, interaction, text), conversation);
  }

  private async answerConfirmation(
    interaction: IncomingInteraction,
    action: Extract<ButtonAction, { kind: "confirm" | "decline" }>,
    acknowledge: Acknowledge,
  ): Promise<void> {
    const confirmed = action.kind === "confirm";
    const answer = this.deps.confirmations.answer(action.token, interaction.user.id, confirmed);
    if (answer === "not-yours") {
      await acknowledge(ephemeralAnswer("Only the person who asked can answer this confirmation."));
      return;
    }
    if (answer === "unknown") {
      await acknowledge(ephemeralAnswer("This confirmation has expired or was already answered; nothing was changed."));
      return;
    }
    const who = `<@${interaction.user.id}> (${interaction.user.name}) ${this.when()}`;
    const outcome: Reply = confirmed
      ? reply(`Confirmed by ${who}.`, [], { tone: "success" })
      : reply(`Cancelled by ${who}; nothing was changed.`, [], { tone: "warning" });
    const { flags: _createOnly, ...data } = renderDiscordMessage(outcome);
    await acknowledge({ type: InteractionResponseType.UpdateMessage, data });
  }

  private interactionConversation(
    interaction: IncomingInteraction,
    responder: InteractionResponder,
    shape: { original: OriginalKind; decidedBy?: string[] },
  ): InteractionConversation {
    const target = interaction.threadId ?? interaction.channelId;
    return new InteractionConversation({
      ...shape,
      responder,
      confirmations: this.deps.confirmations,
      requesterId: interaction.user.id,
      clock: this.deps.clock,
      tokenExpiresAt: new Date(this.deps.clock.now().getTime() + TOKEN_LIFETIME_MS),
      channel: this.deps.botToken && target ? new ChannelMessages(this.deps.rest, target) : null,
    });
  }

  private request(
    id: string,
    user: { id: string; name: string; roles?: readonly string[] },
    place: { guildId: string | null; channelId: string | null; threadId: string | null },
    text: string,
  ): ChatRequest {
    return {
      platform: "discord",
      workspace: place.guildId,
      channel: place.channelId,
      thread: place.threadId,
      // Discord role ids arrive with the member data: the groups that role grants name (README "Permissions").
      actor: { id: user.id, name: user.name, platform: "discord", ...(user.roles && { groups: user.roles }) },
      text,
      dedupeKey: `discord:${id}`,
      receivedAt: this.deps.clock.now(),
    };
  }

  private async dispatch(request: ChatRequest, conversation: DiscordConversation, onFailure?: () => Promise<void>) {
    try {
      const outcome = await this.deps.dispatcher.dispatch(request, conversation);
      void this.notifyWhenLong(request, outcome, conversation);
    } catch (error) {
      // The dispatcher answers every request itself; reaching here means the database is gone.
      this.deps.logger.error("discord request could not be handled", { dedupeKey: request.dedupeKey, error });
      await onFailure?.().catch(() => undefined);
    }
  }

  /** Edits do not notify anyone: long work ends with a follow-up that pings the asker. */
  private async notifyWhenLong(request: ChatRequest, outcome: DispatchOutcome, conversation: DiscordConversation) {
    const follows = ["workflow.run", "execution.approve", "execution.reject"];
    if (!outcome.result || !follows.includes(outcome.result.type)) return;
    try {
      const settled = await outcome.settled;
      const took = this.deps.clock.now().getTime() - request.receivedAt.getTime();
      if (took >= (this.deps.notifyAfterMs ?? 10_000)) await conversation.notifyDone(settled.reply);
    } catch (error) {
      this.deps.logger.warn("could not post the end-of-work follow-up", { dedupeKey: request.dedupeKey, error });
    }
  }

  /** Discord renders <t:…:f> in each reader's own time zone. */
  private when(): string {
    return `<t:${Math.floor(this.deps.clock.now().getTime() / 1000)}:f>`;
  }
}

/** `/orchestrate <request>` and `/improve <feedback>` as the text the grammar reads; null for others. */
export function commandText(name: string, options: Record<string, string>): string | null {
  if (name === "orchestrate") return `/orchestrate ${options.request ?? "help"}`.trim();
  if (name === "improve") return `/improve ${options.feedback ?? ""}`.trim();
  return null;
}

function salvageOf(interaction: IncomingInteraction, command: string): InteractionProblem["salvage"] {
  return {
    id: interaction.id,
    token: interaction.token,
    applicationId: interaction.applicationId,
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    userId: interaction.user.id,
    userName: interaction.user.name,
    command,
  };
}

function ephemeralAnswer(text: string): InteractionAck {
  const { flags: _flags, ...data } = renderDiscordMessage(errorReply(text));
  return { type: InteractionResponseType.ChannelMessageWithSource, data: { ...data, flags: EPHEMERAL } };
}
