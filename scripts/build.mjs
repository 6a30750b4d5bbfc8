#!/usr/bin/env node
// Builds dist/ from src/ once: `npm ci` runs it (prepare), `npm start` runs it again (prestart) and
// it returns at once when nothing changed since the last build. What counts as a change: any file
// under src/ added, removed or touched, or a change to package.json or the tsconfig files. A build
// whose set of files changed starts from an empty dist/, so nothing compiled from a deleted source
// lingers; otherwise tsc rebuilds incrementally.
//
//   node scripts/build.mjs           build when stale
//   node scripts/build.mjs --force   build now
//   node scripts/build.mjs --if-available   (npm ci) skip quietly when TypeScript is not installed
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "dist");
const STAMP = join(DIST, ".build-stamp.json");
const INPUTS = ["package.json", "tsconfig.json", "tsconfig.build.json"];

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : [path];
  });
}

/** What the build depends on: every source file's path, size and modification time. */
function fingerprint() {
  const files = [...sourceFiles(join(ROOT, "src")), ...INPUTS.map((name) => join(ROOT, name))].sort();
  const paths = createHash("sha256");
  const contents = createHash("sha256");
  for (const file of files) {
    const { size, mtimeMs } = statSync(file);
    const name = relative(ROOT, file);
    paths.update(`${name}\n`);
    contents.update(`${name}\t${size}\t${mtimeMs}\n`);
  }
  return { paths: paths.digest("hex"), contents: contents.digest("hex") };
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(STAMP, "utf8"));
  } catch {
    return null;
  }
}

function typescript() {
  try {
    return createRequire(import.meta.url).resolve("typescript/bin/tsc");
  } catch {
    return null;
  }
}

const force = process.argv.includes("--force");
const current = fingerprint();
const stamp = readStamp();
if (!force && stamp?.contents === current.contents && existsSync(join(DIST, "bin.js"))) process.exit(0);

const tsc = typescript();
if (tsc === null) {
  if (process.argv.includes("--if-available")) process.exit(0);
  process.stderr.write("baton cannot build: TypeScript is not installed. Run `npm ci` (with dev dependencies).\n");
  process.exit(1);
}
if (stamp?.paths !== current.paths) rmSync(DIST, { recursive: true, force: true });
mkdirSync(DIST, { recursive: true });
process.stderr.write("Building baton (src → dist, once per change)…\n");
try {
  execFileSync(
    process.execPath,
    [tsc, "-p", "tsconfig.build.json", "--incremental", "--tsBuildInfoFile", join(DIST, ".tsbuildinfo")],
    { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] },
  );
} catch {
  rmSync(STAMP, { force: true });
  process.stderr.write("baton did not build: fix the TypeScript errors above, then run npm start again.\n");
  process.exit(1);
}
writeFileSync(STAMP, `${JSON.stringify(current)}\n`);
