/** A secret's NAME as written in `{{ secrets.NAME }}` and `BATON_SECRET_<NAME>`. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

/** The NAME a typed input would get as a baton secret: `api-key` → `API_KEY`. */
export function secretEnvName(input: string): string {
  const name = input
    .toUpperCase()
    .replace(/[^A-Z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return /^[A-Z_]/.test(name) ? name : `S_${name}`;
}
