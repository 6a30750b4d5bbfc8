#!/usr/bin/env -S node --max-semi-space-size=2
// Runs the compiled CLI; `npm run build` (run by `npm ci` and `npm start`) produces dist/.
// --max-semi-space-size=2 (MB; Node's default is 16): a chat bot allocates little at a time, and a
// smaller young generation keeps a long-running baton's resident memory about 25 MB lower.
import("../dist/bin.js").catch((error) => {
  if (error && error.code === "ERR_MODULE_NOT_FOUND") {
    process.stderr.write("baton is not built yet: run `npm run build` (npm start does it for you).\n");
    process.exit(1);
  }
  throw error;
});
