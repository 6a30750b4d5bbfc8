#!/usr/bin/env node
// Runs the compiled CLI; `npm run build` (run by `npm start`) produces dist/.
import("../dist/bin.js").catch((error) => {
  if (error && error.code === "ERR_MODULE_NOT_FOUND") {
    process.stderr.write("baton is not built yet: run `npm run build` (npm start does it for you).\n");
    process.exit(1);
  }
  throw error;
});
