import { COMMAND_SPECS, COMMAND_TYPES, type CommandType } from "../commands/commands.js";
import { parseCommandText } from "../routing/grammar.js";

const ORCHESTRATE = "/orchestrate ";

/**
 * The command types a suggestion could be: the one it parses to, or — a suggestion with `…` left
 * to fill — every type its verb may parse to.
 */
function typesOf(suggestion: string): CommandType[] {
  const parsed = parseCommandText(suggestion);
  if (parsed.kind === "command") return [parsed.command.type];
  if (suggestion.startsWith("/improve")) return ["improve"];
  if (!suggestion.startsWith(ORCHESTRATE)) return [];
  const rest = suggestion.slice(ORCHESTRATE.length).trimStart();
  const space = rest.indexOf(" ");
  const verb = (space === -1 ? rest : rest.slice(0, space)).toLowerCase();
  return COMMAND_TYPES.filter((type) => (COMMAND_SPECS[type].verbs as readonly string[]).includes(verb));
}

/**
 * What baton may offer this person (README "Permissions"): suggestions and did-you-mean name only
 * commands they may run here. A suggestion that is no command (plain text) stays.
 */
export function offered(suggestions: readonly string[], permitted: ReadonlySet<CommandType> | undefined): string[] {
  if (permitted === undefined) return [...suggestions];
  return suggestions.filter((suggestion) => {
    const types = typesOf(suggestion);
    return types.length === 0 || types.some((type) => permitted.has(type));
  });
}

/** The message without its "Did you mean …?" sentence, once what it named was left out. */
export function withoutDidYouMean(message: string): string {
  const start = message.indexOf(" Did you mean ");
  if (start === -1) return message;
  const end = message.indexOf("?", start);
  return end === -1 ? message.slice(0, start) : message.slice(0, start) + message.slice(end + 1);
}
