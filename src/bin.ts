import { main } from "./cli.js";

// A promise nobody awaited must not take the bot down with every request in flight: log it, keep
// serving. Every known path catches its own errors; this is the net under the ones we missed.
process.on("unhandledRejection", (reason: unknown) => {
  const detail = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: "error", msg: "unhandled rejection", detail })}\n`,
  );
});

// The process entry point: everything else is importable without side effects.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`baton crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
