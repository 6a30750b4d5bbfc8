/**
 * `baton help`. Kept apart from the commands so `baton help` and `baton --version` load nothing
 * else (README "Running baton").
 */
export const USAGE = `baton — chat-ops bot with an embedded orchestrator

Usage:
  baton start [--console]            start baton: Slack and Discord when configured, and the console
                                     REPL at a terminal, with --console, or when no platform is
                                     configured
  baton say "<text>" [--user NAME] [--channel NAME] [--yes] [--json]
                                     run one request exactly as the REPL would and print the reply;
                                     as the installation's owner (an admin), or with --user as that
                                     person (console:NAME) in --channel (default cli)
  baton route ["<text>"] [--json]    show how text resolves to a command, without running it
                                     (no text: one request per stdin line, answered in turn;
                                     --json prints one JSON object per request)
  baton grant <who> <role> [#channel | workflow=NAME]   give a role (README "Permissions")
  baton revoke <who> <role> [#channel | workflow=NAME] --yes
  baton access [<who> | #channel]    who can do what, where
  baton whoami [--user NAME]         your accounts, roles and what you may run
  baton link [CODE]                  a code to link this console account to Slack or Discord
                                     (type it there as /orchestrate link CODE), or redeem one
  baton unlink --yes                 make this console account a person of its own again
                                     (these take say's --user, --channel, --yes and --json)
  baton token create [--user NAME] [--name LABEL]
                                     a personal API token for the REST API and MCP, printed once;
                                     it acts as the owner (or as --user) with their roles
  baton token list [--user NAME]     your API tokens: number, name, last use
  baton token revoke N --yes         revoke token number N
  baton mcp [--user NAME]            an MCP server over stdio for a local agent, acting as the
                                     owner (or as --user)
  baton migrate                      apply pending database migrations
  baton audit verify                 check the audit log's hash chain: prints how many rows it
                                     verified (exit 0) or names the first row that was changed (exit 1)
  baton audit export [--since DATE] [--until DATE] [--format jsonl|csv]
                                     stream audit rows (redacted) to stdout; --since is inclusive,
                                     --until exclusive; DATE is 2026-01-31 or 2026-01-31T09:00:00Z
  baton help | --version

Environment variables are documented in README.md.`;
