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
          testTimeout: 30_000,
          hookTimeout: 30_000,
          // Files run side by side: each gets its own SQLite files, PostgreSQL databases and temp dirs,
          // and binds port 0. Most of a file's time is spent waiting on child processes and sockets,
          // so more workers than the 2 cores still shortens the run.
          fileParallelism: true,
          maxWorkers: 4,
        },
      },
    ],
  },
});
