import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

type Cleanup = () => void | Promise<void>;

const pending: Cleanup[] = [];

/**
 * Runs `cleanup` once the current test file has finished (test/support/setup.ts calls
 * `runFileCleanups` after all of a file's tests), so what a test creates never outlives its file.
 */
export function afterFile(cleanup: Cleanup): void {
  pending.push(cleanup);
}

/** Runs the registered cleanups, newest first, and reports every one that failed. */
export async function runFileCleanups(): Promise<void> {
  const failures: unknown[] = [];
  for (const cleanup of pending.splice(0).reverse()) {
    try {
      await cleanup();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} test cleanup(s) failed`);
}

/** A new empty directory `<tmpdir>/baton-<label>-XXXXXX`, removed with its contents after the test file. */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `baton-${label}-`));
  afterFile(() => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
  return dir;
}
