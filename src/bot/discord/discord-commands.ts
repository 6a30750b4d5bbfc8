import { ApplicationCommandOptionType, ApplicationCommandType, type REST, Routes } from "discord.js";
import { toDiscordError } from "./discord-errors.js";

interface CommandOption {
  type: ApplicationCommandOptionType.String;
  name: string;
  description: string;
  required: boolean;
  /** Discord asks baton for choices as the person types (only what they may run there). */
  autocomplete?: boolean;
}

export interface CommandDefinition {
  type: ApplicationCommandType.ChatInput;
  name: string;
  description: string;
  options: CommandOption[];
}

/** baton's slash commands; the grammar reads `/orchestrate <request>` and `/improve <feedback>`. */
export const COMMAND_DEFINITIONS: readonly CommandDefinition[] = [
  {
    type: ApplicationCommandType.ChatInput,
    name: "orchestrate",
    description: "Ask baton: status, run <workflow>, approve <execution>, help… or plain words",
    options: [
      {
        type: ApplicationCommandOptionType.String,
        name: "request",
        description: "What to do, e.g. status or run healthcheck urls=https://example.com",
        required: true,
        autocomplete: true,
      },
    ],
  },
  {
    type: ApplicationCommandType.ChatInput,
    name: "improve",
    description: "Tell baton what to do better next time (feedback on your last run)",
    options: [
      {
        type: ApplicationCommandOptionType.String,
        name: "feedback",
        description: "What should change",
        required: true,
      },
    ],
  },
];

/**
 * The first required option of command `name` that did not come as text, or null. Discord always
 * sends required options; a forged or broken payload may not.
 */
export function missingOption(name: string, options: Record<string, string>): string | null {
  const definition = COMMAND_DEFINITIONS.find((command) => command.name === name);
  const missing = definition?.options.find((option) => option.required && !options[option.name]?.trim());
  return missing?.name ?? null;
}

interface ExistingCommand {
  name: string;
  description?: string;
  type?: number;
  options?: Array<{ type: number; name: string; description?: string; required?: boolean; autocomplete?: boolean }>;
}

/** The fields baton sets, with Discord's defaults filled in, so an unchanged command compares equal. */
function comparable(command: ExistingCommand): string {
  return JSON.stringify({
    type: command.type ?? ApplicationCommandType.ChatInput,
    name: command.name,
    description: command.description ?? "",
    options: (command.options ?? []).map((o) => ({
      type: o.type,
      name: o.name,
      description: o.description ?? "",
      required: o.required ?? false,
      autocomplete: o.autocomplete ?? false,
    })),
  });
}

/**
 * Registers the slash commands only when their definitions changed: GET the current ones, POST
 * (which overwrites by name) those that differ. Guild commands appear at once; global ones can
 * take up to an hour, and every registration counts against a daily limit.
 * @see https://discord.com/developers/docs/interactions/application-commands#registering-a-command
 */
export async function registerCommands(
  rest: REST,
  scope: { applicationId: string; guildId: string | null },
  definitions: readonly CommandDefinition[] = COMMAND_DEFINITIONS,
): Promise<{ registered: string[]; unchanged: string[] }> {
  const route = scope.guildId
    ? Routes.applicationGuildCommands(scope.applicationId, scope.guildId)
    : Routes.applicationCommands(scope.applicationId);
  try {
    const existing = (await rest.get(route)) as ExistingCommand[];
    const current = new Map(existing.map((c) => [c.name, comparable(c)]));
    const registered: string[] = [];
    const unchanged: string[] = [];
    for (const definition of definitions) {
      if (current.get(definition.name) === comparable(definition)) {
        unchanged.push(definition.name);
        continue;
      }
      await rest.post(route, { body: definition });
      registered.push(definition.name);
    }
    return { registered, unchanged };
  } catch (error) {
    throw toDiscordError(error, "register the slash commands");
  }
}
