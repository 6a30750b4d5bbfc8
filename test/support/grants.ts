import type { Database } from "../../src/db/database.js";
import { GrantRepository } from "../../src/db/repositories/grant-repository.js";

/**
 * Stores a grant as an admin would have made it: `subject` is an account (`slack:U0LIN`) or a
 * group (`group:discord:500…`), everywhere unless a channel or workflow narrows it.
 */
export async function grantRole(
  database: Database,
  subject: string,
  role: string,
  scope: { channel?: string; workflow?: string } = {},
): Promise<void> {
  await new GrantRepository(database).add({
    subject: subject.startsWith("group:")
      ? { kind: "group", group: subject.slice("group:".length) }
      : { kind: "person", account: subject },
    role,
    channel: scope.channel ?? null,
    workflow: scope.workflow ?? null,
    grantedBy: "console:owner",
    grantedAt: new Date(),
  });
}
