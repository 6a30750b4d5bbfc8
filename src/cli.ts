import { randomBytes } from "node:crypto";
import type { Readable, Writable } from "node:stream";
import { parseArgs } from "node:util";
import type { App } from "./app.js";
import type { ChannelPublisher } from "./bot/chat.js";
import type { ConsoleAdapter } from "./bot/console/console-adapter.js";
import type { ConsoleScreen } from "./bot/console/console-screen.js";
import { USAGE } from "./cli-usage.js";
import type { Directory } from "./commands/directory.js";
import type { Config } from "./config.js";
import type { HttpConfig } from "./config-http.js";
import type { HttpServer } from "./http/http-server.js";
import { createLogger, type Logger } from "./logger.js";
import type { RouteUsage } from "./routing/types.js";
import { packageVersion } from "./version.js";

// Everything heavier than this file is imported where a command needs it, so `baton --version` and
// `baton help` load nothing else, and no command loads a platform or LLM SDK it was not configured for.

export interface CliIo {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** Runs the CLI; resolves with the process exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [command = "start", ...rest] = argv;
  if (command === "help" || command === "--help" || command === "-h") return write(io.stdout, USAGE, 0);
  if (command === "--version" || command === "-v") return write(io.stdout, packageVersion(), 0);
  const { ConfigError, loadConfig } = await import("./config.js");
  let config: Config;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (error instanceof ConfigError) return write(io.stderr, error.message, 2);
    throw error;
  }
  const logger = createLogger(config.logLevel, (line) => io.stderr.write(line));
  try {
    switch (command) {
      case "start":
        return await start(rest, config, logger, io);
      case "say":
        return await say(rest, config, logger, io);
      case "route":
        return await route(rest, config, logger, io);
      case "grant":
      case "revoke":
      case "access":
      case "whoami":
      case "link":
      case "unlink":
        // The access commands are requests like any other: `baton grant …` is `baton say "/orchestrate grant …"`.
        return await say(["/orchestrate", command, ...rest], config, logger, io);
      case "token":
        return await say(tokenRequest(rest), config, logger, io);
      case "migrate":
        return await migrate(config, logger, io);
      case "audit": {
        const { auditCommand } = await import("./audit/audit-cli.js");
        return await auditCommand(rest, config, logger, io);
      }
      case "mcp": {
        const { mcpCommand } = await import("./http/mcp/mcp-stdio.js");
        return await mcpCommand(rest, config, logger, io);
      }
      default:
        return write(io.stderr, `Unknown command "${command}".\n\n${USAGE}`, 2);
    }
  } catch (error) {
    if (error instanceof UsageError) return write(io.stderr, `${error.message}\n\n${USAGE}`, 2);
    // Problems found once secrets are loaded (a webhook naming an unknown secret) read like the environment's.
    if (error instanceof ConfigError) return write(io.stderr, error.message, 2);
    logger.error("baton stopped on an error", { error });
    return write(io.stderr, `baton stopped: ${error instanceof Error ? error.message : String(error)}`, 1);
  }
}

class UsageError extends Error {}

function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

function write(stream: NodeJS.WritableStream, text: string, code: number): number {
  stream.write(`${text}\n`);
  return code;
}

function parse(args: string[], options: Record<string, { type: "boolean" | "string" }>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function start(args: string[], config: Config, baseLogger: Logger, io: CliIo): Promise<number> {
  let logger = baseLogger;
  const { values } = parse(args, { console: { type: "boolean" } });
  const { slackLabel } = await import("./config-slack.js");
  const platforms = [...(config.slack ? [slackLabel(config.slack)] : []), ...(config.discord ? ["discord"] : [])];
  // The REPL runs when asked, at a terminal, or when nothing else is configured (it is then the only way in).
  const withConsole =
    values.console === true || Boolean(io.stdin.isTTY) || (platforms.length === 0 && config.http === null);
  const frontEnds = [
    ...platforms,
    ...(config.http ? [`http :${config.http.port}`] : []),
    ...(withConsole ? ["console"] : []),
  ];
  const color = Boolean(io.stdout.isTTY && io.stdin.isTTY);
  const [{ createApp }, { ConsolePublisher }, { ansiStyle, plainStyle }, { ConsoleScreen }] = await Promise.all([
    import("./app.js"),
    import("./bot/console/console-publisher.js"),
    import("./bot/console/text-renderer.js"),
    import("./bot/console/console-screen.js"),
  ]);
  const screen = withConsole ? new ConsoleScreen(io.stdout, color) : null;
  // While the REPL is open at a terminal (or BATON_LOG_FILE says where), log lines go to a file.
  const log = screen && (color || config.logFile !== null) ? await openConsoleLog(config, screen) : null;
  if (log) logger = log.logger;
  const publishers = screen ? [new ConsolePublisher(screen, color ? ansiStyle : plainStyle)] : [];
  const app = await createApp(config, logger, { frontEnds, publishers });
  let running: PlatformFrontEnd[] = [];
  const http = config.http ? await httpSurface(config.http, app, () => running) : null;
  try {
    // Listening first: health and readiness answer (and the front-ends' paths say 503) while the platforms start.
    if (http) {
      for (const path of frontEndPaths(config)) http.reserve(path);
      const port = await http.listen();
      logger.info("http server listening", { port, paths: httpPaths(config) });
    }
    running = await startPlatforms(config, app, http);
  } catch (error) {
    for (const platform of running) await platform.stop();
    await http?.close();
    await app.close();
    throw error;
  }
  for (const platform of running) {
    if (platform.publisher) app.registerPublisher(platform.publisher);
    // Grants naming this platform's people, groups and channels are checked against it.
    if (platform.directory) app.registerDirectory(platform.platform, platform.directory);
  }
  const adapter = screen ? await consoleAdapter(app, config, logger, io, screen, log?.notice) : null;
  let stopped: () => void = () => {};
  const whenStopped = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  const stop = once(async (graceMs: number) => {
    adapter?.close();
    // Platforms and the HTTP server stop taking requests first; in-flight ones finish within the grace period.
    await http?.close();
    for (const platform of running) await platform.stop();
    await app.close({ graceMs });
    stopped();
  });
  // At the console Ctrl-C (or a terminal closing: SIGHUP) means now, and in-flight runs are recorded
  // as interrupted; a server stopped by SIGTERM lets in-flight requests finish.
  const onSignal = () => void stop(adapter ? 0 : config.shutdownGraceMs);
  adapter?.onInterrupt(onSignal);
  const release = onStopSignal(onSignal);
  try {
    if (adapter) {
      await adapter.run();
      await stop(config.shutdownGraceMs);
    } else {
      logger.info("baton is running; stop it with Ctrl-C or SIGTERM", { frontEnds });
      await whenStopped;
    }
  } finally {
    release();
    log?.close();
  }
  io.stdout.write("bye\n");
  return 0;
}

async function openConsoleLog(config: Config, screen: ConsoleScreen) {
  const { consoleLog, DEFAULT_CONSOLE_LOG_FILE } = await import("./bot/console/console-log.js");
  return consoleLog(config.logFile ?? DEFAULT_CONSOLE_LOG_FILE, config.logLevel, screen);
}

async function consoleAdapter(
  app: App,
  config: Config,
  logger: Logger,
  io: CliIo,
  screen: ConsoleScreen,
  notice: string | undefined,
): Promise<ConsoleAdapter> {
  const { ConsoleAdapter } = await import("./bot/console/console-adapter.js");
  return new ConsoleAdapter({
    screen,
    ...(notice === undefined ? {} : { notice }),
    dispatcher: app.dispatcher,
    input: io.stdin,
    output: io.stdout,
    user: config.consoleUser,
    clock: app.clock,
    logger,
    color: Boolean(io.stdout.isTTY && io.stdin.isTTY),
    session: `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`,
  });
}

/** A platform front-end `baton start` runs: how to stop it, and how to post to its channels. */
interface PlatformFrontEnd {
  platform: string;
  publisher: ChannelPublisher | null;
  directory: Directory | null;
  /** Connected and receiving (for /readyz). */
  ready(): boolean;
  stop(): Promise<void>;
}

/** The one HTTP server (PORT); its readiness asks the platforms running now. */
async function httpSurface(config: HttpConfig, app: App, running: () => PlatformFrontEnd[]): Promise<HttpServer> {
  const { httpSurfaceFor } = await import("./http-surface.js");
  // Every configured platform is checked, so /readyz says "not ready" until each has started.
  const configured = [...(app.config.slack ? ["slack"] : []), ...(app.config.discord ? ["discord"] : [])];
  return httpSurfaceFor(app, config, () =>
    configured.map((name) => ({
      name,
      ready: () =>
        running()
          .find((platform) => platform.platform === name)
          ?.ready() ?? false,
    })),
  );
}

function frontEndPaths(config: Config): string[] {
  return [
    ...(config.slack && config.slack.appToken === null ? ["/slack/events"] : []),
    ...(config.discord?.publicKey ? ["/discord/interactions", "/interactions"] : []),
  ];
}

function httpPaths(config: Config): string[] {
  return [
    ...frontEndPaths(config),
    "/healthz",
    "/readyz",
    "/metrics",
    "/api/v1",
    "/mcp",
    ...config.hooks.map((hook) => `/hooks/${hook.name}`),
  ];
}

/** Starts each configured platform front-end (a failure stops the ones already started). */
async function startPlatforms(config: Config, app: App, http: HttpServer | null): Promise<PlatformFrontEnd[]> {
  const started: PlatformFrontEnd[] = [];
  try {
    if (config.slack) {
      // Each platform's SDK is loaded only when that platform is configured.
      const { startSlack } = await import("./bot/slack/start-slack.js");
      const slack = await startSlack(config.slack, { ...app, timeZone: config.timeZone, ...(http && { http }) });
      started.push({
        platform: "slack",
        publisher: slack.publisher,
        directory: slack.directory,
        ready: () => slack.isStarted && slack.health.isReady(),
        stop: () => slack.stop(),
      });
    }
    if (config.discord) {
      const { startDiscord } = await import("./bot/discord/start-discord.js");
      const discord = await startDiscord(config.discord, { ...app, ...(http && { http }) });
      started.push({
        platform: "discord",
        publisher: discord.publisher,
        directory: discord.directory,
        ready: () => discord.ready(),
        stop: () => discord.stop(),
      });
    }
  } catch (error) {
    for (const platform of started) await platform.stop();
    throw error;
  }
  return started;
}

function once<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  let running: Promise<void> | null = null;
  return (...args: A) => {
    running ??= fn(...args);
    return running;
  };
}

async function say(args: string[], config: Config, logger: Logger, io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    user: { type: "string" },
    yes: { type: "boolean" },
    json: { type: "boolean" },
    channel: { type: "string" },
  });
  const text = positionals.join(" ").trim();
  if (text.length === 0)
    throw new UsageError('baton say needs the text of a request, e.g. baton say "/orchestrate status".');
  // Without --user the one typing is the installation's owner (an admin); with it, that person.
  const user = typeof values.user === "string" ? values.user : config.consoleUser;
  const owner = typeof values.user !== "string";
  const channel = typeof values.channel === "string" ? values.channel.replace(/^#/, "") : "cli";
  // A one-shot command does not adopt runs other processes left behind; `baton start` does.
  const [{ createApp }, { renderText }, { OneShotConversation, outcomeJson }] = await Promise.all([
    import("./app.js"),
    import("./bot/console/text-renderer.js"),
    import("./bot/one-shot.js"),
  ]);
  const app = await createApp(config, logger, { frontEnds: ["cli"], resume: false });
  // Ctrl-C or SIGTERM mid-run: stop the run as interrupted, then print where it stands.
  let signalled = false;
  const release = onStopSignal(() => {
    signalled = true;
    void app.close();
  });
  try {
    const conversation = new OneShotConversation(values.yes === true, "run it again with --yes");
    const outcome = await app.dispatcher.dispatch(
      {
        platform: "console",
        workspace: null,
        channel,
        thread: null,
        actor: { id: user, name: user, platform: "console", ...(owner && { owner }) },
        text,
        dedupeKey: `cli:${process.pid}:${Date.now()}:${randomBytes(4).toString("hex")}`,
        receivedAt: app.clock.now(),
      },
      conversation,
    );
    const settled = await outcome.settled;
    const reply = settled.reply;
    if (values.json) {
      io.stdout.write(`${JSON.stringify(outcomeJson(outcome, settled))}\n`);
    } else {
      io.stdout.write(`${renderText(reply)}\n`);
    }
    if (signalled) return 130;
    // A question (a run missing its inputs) waits for the next `baton say` from the same person and channel.
    if (outcome.question !== undefined) return 3;
    return outcome.outcome === "ok" ? 0 : 1;
  } finally {
    release();
    await app.close({ graceMs: config.shutdownGraceMs });
  }
}

/**
 * `baton token create [--user NAME] [--name LABEL]`, `token list`, `token revoke N --yes`: the
 * token commands as `baton say` runs them (as the owner, or as --user), so they are audited too.
 */
function tokenRequest(args: string[]): string[] {
  const { values, positionals } = parse(args, {
    user: { type: "string" },
    name: { type: "string" },
    yes: { type: "boolean" },
    json: { type: "boolean" },
  });
  const [verb = "list", ...rest] = positionals;
  const label = typeof values.name === "string" ? [values.name] : [];
  const words = ["/orchestrate", "token", verb, ...rest, ...(verb === "create" ? label : [])];
  return [
    words.join(" "),
    ...(typeof values.user === "string" ? ["--user", values.user] : []),
    ...(values.yes ? ["--yes"] : []),
    ...(values.json ? ["--json"] : []),
  ];
}

/** Calls `stop` on SIGINT, SIGTERM or SIGHUP (the terminal closed) until released. */
function onStopSignal(stop: () => void): () => void {
  process.once("SIGINT", stop).once("SIGTERM", stop).once("SIGHUP", stop);
  return () => {
    process.off("SIGINT", stop).off("SIGTERM", stop).off("SIGHUP", stop);
  };
}

async function route(args: string[], config: Config, logger: Logger, io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: "boolean" }, user: { type: "string" } });
  const user = typeof values.user === "string" ? values.user : config.consoleUser;
  const { createApp } = await import("./app.js");
  const app = await createApp(config, logger, { frontEnds: [], recover: false });
  try {
    const resolveOne = async (text: string) => {
      const actor = { id: user, name: user, platform: "console" };
      const resolution = await app.dispatcher.resolve(text, {
        actor,
        platform: "console",
        channel: "cli",
        thread: null,
      });
      const base = {
        command: resolution.kind === "command" ? resolution.command : null,
        resolvedBy: resolution.resolvedBy,
        confidence: resolution.confidence,
        ...routeUsage(resolution.usage),
      };
      const line = resolution.kind === "command" ? base : { ...base, message: resolution.message };
      // A dry run still asks the model: its cost is real and counts in today's spend.
      const billed =
        resolution.usage && resolution.usage.totals.calls > 0
          ? `  (asked ${resolution.usage.provider ?? "an LLM"}: $${resolution.usage.totals.costUsd.toFixed(4)}, counted in today's LLM spend like any request)\n`
          : "";
      io.stdout.write(values.json ? `${JSON.stringify(line)}\n` : `${text}\n  → ${JSON.stringify(line)}\n${billed}`);
    };
    if (positionals.length > 0) {
      await resolveOne(positionals.join(" "));
      return 0;
    }
    for await (const text of readLines(io.stdin)) if (text.trim().length > 0) await resolveOne(text.trim());
    return 0;
  } finally {
    await app.close();
  }
}

/** Which provider answered, how long routing took and the tokens it used (LLM routing only). */
function routeUsage(usage: RouteUsage | undefined) {
  if (!usage || usage.totals.calls === 0) return {};
  const { totals } = usage;
  return {
    provider: usage.provider,
    latencyMs: Math.round(usage.latencyMs),
    tokens: {
      input: totals.inputTokens,
      cachedInput: totals.cachedInputTokens,
      cacheWrite: totals.cacheWriteTokens,
      output: totals.outputTokens,
    },
    costUsd: Number(totals.costUsd.toFixed(6)),
  };
}

async function* readLines(stream: NodeJS.ReadableStream): AsyncGenerator<string> {
  const { createInterface } = await import("node:readline");
  yield* createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
}

async function migrate(config: Config, logger: Logger, io: CliIo): Promise<number> {
  const [{ openDatabase }, { migrateToLatest }] = await Promise.all([
    import("./db/database.js"),
    import("./db/migrate.js"),
  ]);
  const database = await openDatabase({
    url: config.databaseUrl,
    logger,
    busyTimeoutMs: config.busyTimeoutMs,
    migrate: false,
  });
  try {
    const names = await migrateToLatest(database, logger);
    return write(
      io.stdout,
      names.length > 0 ? `Applied ${names.join(", ")} to ${database.location}.` : `${database.location} is up to date.`,
      0,
    );
  } finally {
    await database.close();
  }
}

export type { App };
