import { describe, expect, it } from "vitest";
import { likePrefix } from "../../src/db/repositories/id-prefix.js";
import { fullId, fullIds, newId, type TypedIdLookup } from "../../src/orchestrator/ids.js";

/** The ids a table holds, answering as the repositories do (exact lookup; prefix, sorted, at most two). */
function table(...ids: string[]): TypedIdLookup & { prefixQueries: string[] } {
  const prefixQueries: string[] = [];
  return {
    prefixQueries,
    get: async (id) => (ids.includes(id) ? { id } : null),
    idsStartingWith: async (prefix) => {
      prefixQueries.push(prefix);
      return ids
        .filter((id) => id.startsWith(prefix))
        .sort()
        .slice(0, 2);
    },
  };
}

describe("ids", () => {
  it("are the prefix, `_` and 16 lowercase hex digits (64 random bits)", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId("ex")));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^ex_[0-9a-f]{16}$/);
  });

  it("resolve a unique prefix to the whole id, and leave whole, unknown and too-short ids as typed", async () => {
    const executions = table("ex_3f2a0000aaaa1111", "ex_0badc0de");
    expect(await fullId("ex_3f2a", "execution", executions)).toBe("ex_3f2a0000aaaa1111");
    expect(await fullId("ex_0badc0de", "execution", executions)).toBe("ex_0badc0de");
    expect(await fullId("ex_0bad", "execution", executions)).toBe("ex_0badc0de");
    expect(await fullId("ex_9999", "execution", executions)).toBe("ex_9999");
    expect(await fullId("ex_3f2", "execution", executions)).toBe("ex_3f2");
    expect(await fullId("imp_12", "execution", executions)).toBe("imp_12");
    expect(executions.prefixQueries).toEqual(["ex_3f2a", "ex_0bad", "ex_9999"]);
  });

  it("refuse a prefix several ids share, naming them", async () => {
    const executions = table("ex_3f2a0000aaaa1111", "ex_3f2a0000bbbb2222", "ex_3f2a0000cccc3333");
    await expect(fullId("ex_3f2a", "execution", executions)).rejects.toThrow(
      "`ex_3f2a` is the start of more than one execution (`ex_3f2a0000aaaa1111`, `ex_3f2a0000bbbb2222`); type a few more characters of the id.",
    );
  });

  it("make whole every id field a command carries, and nothing else", async () => {
    const lookups = {
      execution: table("ex_3f2a0000aaaa1111"),
      agent: table("writer_77aa0000bbbb1111"),
      schedule: table("sch_c0ffee0000000000"),
    };
    expect(await fullIds({ type: "execution.cancel", execution: "ex_3f2a" }, lookups)).toEqual({
      type: "execution.cancel",
      execution: "ex_3f2a0000aaaa1111",
    });
    expect(await fullIds({ type: "agent.retire", agent: "writer_77aa" }, lookups)).toEqual({
      type: "agent.retire",
      agent: "writer_77aa0000bbbb1111",
    });
    expect(await fullIds({ type: "schedule.delete", schedule: "sch_c0ff" }, lookups)).toEqual({
      type: "schedule.delete",
      schedule: "sch_c0ffee0000000000",
    });
    expect(await fullIds({ type: "workflow.show", workflow: "ex_3f2a" }, lookups)).toEqual({
      type: "workflow.show",
      workflow: "ex_3f2a",
    });
  });

  it("escape LIKE's wildcards in a typed prefix", () => {
    expect(likePrefix("ex_3f2a")).toBe("ex!_3f2a%");
    expect(likePrefix("a%b!c")).toBe("a!%b!!c%");
  });
});
