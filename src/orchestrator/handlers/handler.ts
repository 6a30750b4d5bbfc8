import type { Command, CommandOf, CommandType } from "../../commands/commands.js";
import type { RequestContext } from "../../commands/context.js";
import type { Result } from "../results.js";

/** Carries out one command type. */
export type Handler<T extends CommandType> = (command: CommandOf<T>, context: RequestContext) => Promise<Result>;

/** A handler module's part of the table: one handler for each of its command types. */
export type Handlers<K extends CommandType> = { [T in K]: Handler<T> };

/** Every command type's handler: a command type without one does not compile. */
export type HandlerTable = Handlers<CommandType>;

/** Behaviour around a handler (run limits, pattern offers, status decoration), not inside it. */
export type Wrapper<T extends CommandType> = (handler: Handler<T>) => Handler<T>;

/** The one dispatch path: the table's handler for the command's type. */
export function dispatch(table: HandlerTable, command: Command, context: RequestContext): Promise<Result> {
  return handlerOf(table, command.type)(command, context);
}

function handlerOf<T extends CommandType>(table: HandlerTable, type: T): Handler<T> {
  return table[type];
}
