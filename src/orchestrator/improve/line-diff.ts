import { structuredPatch } from "diff";

/** Unchanged lines shown around each change, as `diff -u` does. */
const CONTEXT_LINES = 3;

/**
 * The changed parts of a workflow definition as unified-diff hunks: an `@@ -a,b +c,d @@` header
 * per hunk, then its lines (` ` unchanged, `-` removed, `+` added). Lines further than three from
 * a change are left out, so a one-line edit to a long workflow reads as a few lines, not the whole
 * file. Empty when nothing changed.
 */
export function lineDiff(before: string, after: string): string {
  const patch = structuredPatch("before", "after", withFinalNewline(before), withFinalNewline(after), "", "", {
    context: CONTEXT_LINES,
  });
  return patch.hunks
    .flatMap((hunk) => [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines])
    .join("\n");
}

/** Both sides end in a new line, so a missing one is not reported as a change of its own. */
function withFinalNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}
