import { afterAll } from "vitest";
import { runFileCleanups } from "./cleanup.js";

// Registered before any test file's own hooks, so it runs after them (vitest runs after-hooks as a stack).
afterAll(runFileCleanups);
