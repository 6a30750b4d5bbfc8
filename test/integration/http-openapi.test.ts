import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqliteDatabase, type TestDatabase } from "../support/databases.js";
import { type HttpTestApp, startHttpApp } from "../support/http-app.js";

type Json = Record<string, unknown>;

/** Every `$ref` in the document, wherever it sits. */
function refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refs(item, found);
  else if (value !== null && typeof value === "object")
    for (const [key, inner] of Object.entries(value)) {
      if (key === "$ref" && typeof inner === "string") found.push(inner);
      else refs(inner, found);
    }
  return found;
}

describe("the OpenAPI document", () => {
  let database: TestDatabase;
  let http: HttpTestApp;
  let document: Json;

  beforeAll(async () => {
    database = sqliteDatabase();
    http = await startHttpApp({ url: database.url });
    // Served without a token: it is how a client learns to ask for one.
    const response = await fetch(`${http.base}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as Json;
  });

  afterAll(async () => {
    await http.close();
    await database.drop();
  });

  it("is OpenAPI 3.1 with bearer security and resolvable references", () => {
    expect(document.openapi).toBe("3.1.0");
    expect(document).toMatchObject({
      security: [{ bearer: [] }],
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    });
    const components = (document.components as { schemas: Json }).schemas;
    for (const ref of refs(document)) {
      expect(ref.startsWith("#/components/schemas/"), ref).toBe(true);
      expect(components[ref.slice("#/components/schemas/".length)], ref).toBeDefined();
    }
  });

  it("documents every route the server answers under /api/v1, each schema valid JSON Schema 2020-12", () => {
    const paths = document.paths as Record<string, Record<string, Json>>;
    const served = http.server.app.routes
      .filter((route) => route.path.startsWith("/api/v1/") && route.path !== "/api/v1/openapi.json")
      .map((route) => [route.method.toLowerCase(), route.path.slice("/api/v1".length).replace(/:(\w+)/g, "{$1}")]);
    expect(served.length).toBeGreaterThanOrEqual(12);
    for (const [method, path] of served) expect(paths[path ?? ""]?.[method ?? ""], `${method} ${path}`).toBeDefined();
    const ajv = new Ajv2020({ strict: false });
    const components = (document.components as { schemas: Json }).schemas;
    ajv.addSchema({ $id: "doc", components }, "doc");
    for (const [path, methods] of Object.entries(paths))
      for (const [method, operation] of Object.entries(methods)) {
        const body = (operation.requestBody as { content?: Record<string, { schema: Json }> } | undefined)?.content;
        const schemas = [
          ...Object.values(body ?? {}).map((media) => media.schema),
          ...((operation.parameters as Array<{ schema: Json }> | undefined) ?? []).map((p) => p.schema),
        ];
        for (const schema of schemas) expect(() => ajv.compile(schema), `${method} ${path}`).not.toThrow();
        expect(operation.responses, `${method} ${path}`).toHaveProperty("200");
      }
  });

  it("describes the typed command with the command table's own schema", () => {
    const command = ((document.components as { schemas: Json }).schemas.Command ?? {}) as Json;
    const variants = (command.oneOf ?? command.anyOf) as Json[];
    const types = variants.map((variant) => ((variant.properties as Json).type as { const: string }).const);
    expect(types).toContain("workflow.run");
    expect(types).toContain("token.create");
    const ajv = new Ajv2020({ strict: false });
    const valid = ajv.compile(command);
    expect(valid({ type: "workflow.run", workflow: "hello", input: { name: "Ada" } })).toBe(true);
    expect(valid({ type: "workflow.run" })).toBe(false);
  });
});
