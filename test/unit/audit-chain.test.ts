import { describe, expect, it } from "vitest";
import { csvLine, exportedRow } from "../../src/audit/audit-export.js";
import { type ChainLink, verifyChain } from "../../src/audit/verify-chain.js";
import { type ChainedColumns, canonicalContent, chainHash, GENESIS_HASH } from "../../src/db/audit-hash.js";

function row(id: number, overrides: Partial<ChainedColumns> = {}): ChainedColumns {
  return {
    id,
    seq: id,
    created_at: new Date("2026-03-01T10:00:00.123Z"),
    finished_at: new Date("2026-03-01T10:00:01.456Z"),
    owner: "host:1:abc",
    platform: "slack",
    workspace: "T1",
    channel: "C1",
    thread: null,
    actor_id: "U1",
    actor_name: "Ada",
    text: `/orchestrate status ${id}`,
    command: { type: "status", nested: { b: 1, a: [1, "x"] } },
    command_type: "status",
    resolved_by: "grammar",
    confidence: 0.9,
    outcome: "ok",
    error_code: null,
    error_message: null,
    duration_ms: 12,
    llm_input_tokens: 10,
    llm_output_tokens: 5,
    llm_cost_usd: "0.001230",
    execution_id: null,
    dedupe_key: `slack:${id}`,
    ...overrides,
  };
}

function chain(count: number): ChainLink[] {
  const links: ChainLink[] = [];
  let previous = GENESIS_HASH;
  for (let id = 1; id <= count; id += 1) {
    const content = row(id);
    const hash = chainHash(previous, content);
    links.push({ ...content, id, seq: id, prev_hash: previous, hash });
    previous = hash;
  }
  return links;
}

async function* each<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

describe("the audit hash", () => {
  it("reads the same row the same way from either dialect's column types", () => {
    const postgres = row(7, {
      id: "7",
      seq: "7",
      llm_cost_usd: "0.001230",
      command: { type: "status", nested: { a: [1, "x"], b: 1 } },
    });
    const sqlite = row(7, {
      created_at: "2026-03-01 10:00:00.123 +00:00",
      finished_at: "2026-03-01 10:00:01.456 +00:00",
      llm_cost_usd: 0.00123,
      command: '{"nested":{"b":1,"a":[1,"x"]},"type":"status"}',
    });
    expect(canonicalContent(postgres)).toBe(canonicalContent(sqlite));
    expect(chainHash(GENESIS_HASH, postgres)).toBe(chainHash(GENESIS_HASH, sqlite));
  });

  it("changes with any column and with the previous hash", () => {
    const base = chainHash(GENESIS_HASH, row(1));
    expect(chainHash(GENESIS_HASH, row(1, { text: "/orchestrate status 1 " }))).not.toBe(base);
    expect(chainHash(GENESIS_HASH, row(1, { outcome: "denied" }))).not.toBe(base);
    expect(chainHash("1".repeat(64), row(1))).not.toBe(base);
  });
});

describe("verifyChain", () => {
  it("counts an intact chain", async () => {
    expect(await verifyChain(each(chain(5)))).toEqual({ intact: true, verified: 5 });
  });

  it("names a changed row, a row rewritten with its own hash, and a gap", async () => {
    const edited = chain(5);
    edited[2] = { ...(edited[2] as ChainLink), text: "nothing to see" };
    expect(await verifyChain(each(edited))).toMatchObject({ intact: false, verified: 2, rowId: 3 });

    const rewritten = chain(5);
    const third = { ...(rewritten[2] as ChainLink), actor_id: "someone-else" };
    third.hash = chainHash(third.prev_hash ?? "", third);
    rewritten[2] = third;
    expect(await verifyChain(each(rewritten))).toMatchObject({ intact: false, verified: 2, rowId: 3 });

    const gap = chain(5).filter((link) => link.seq !== 4);
    expect(await verifyChain(each(gap))).toEqual({
      intact: false,
      verified: 3,
      rowId: 5,
      problem: "Audit row 5 (seq 5) follows seq 3: 1 audit row(s) before it were removed.",
    });
  });
});

describe("audit export rows", () => {
  it("quote CSV fields and keep formula-looking text as text", () => {
    const [link] = chain(1);
    const exported = exportedRow({ ...(link as ChainLink), text: '=1+1, "quoted"' });
    expect(csvLine(exported)).toContain(`"'=1+1, ""quoted"""`);
  });
});

describe("text the databases cannot store as typed", () => {
  it("hashes a lone surrogate as the U+FFFD both databases write instead", () => {
    expect(chainHash(GENESIS_HASH, row(1, { text: "broken \ud800 pair" }))).toBe(
      chainHash(GENESIS_HASH, row(1, { text: "broken \ufffd pair" })),
    );
    expect(chainHash(GENESIS_HASH, row(1, { text: "emoji 😀" }))).not.toBe(
      chainHash(GENESIS_HASH, row(1, { text: "emoji \ufffd" })),
    );
  });
});
