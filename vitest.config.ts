import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          setupFiles: ["test/support/setup.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          setupFiles: ["test/support/setup.ts"],
          // Builds dist/ once, so CLI tests spawn bin/baton.js rather than tsx-transforming src each time.
          globalSetup: ["test/support/build-cli.ts"],
          // Generous: a CLI test spawns baton a few times, which takes seconds on a busy
          // machine. A limit is a stop for a hung test, never a timing the test asserts.
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Files run side by side: each gets its own SQLite files, PostgreSQL databases and temp dirs,
          // and binds port 0. Much of a file's time is spent waiting on child processes, sockets and
          // the engine's own timers, so one worker more than the 2 cores still shortens the run.
          fileParallelism: true,
          // A worker reuses the modules it loaded for the next file instead of importing all of baton
          // again (imports were most of the suite's CPU). Files share no state through them: each
          // builds its own app, databases, servers and clock, and cleanup runs after every file.
          isolate: false,
          maxWorkers: 3,
        },
      },
    ],
  },
});
