import { coversType } from "../../commands/access/command-pattern.js";
import type { Grant, Subject } from "../../commands/access/grants.js";
import { type Read, readChannel, readSubject, subjectLabel } from "../../commands/access/subjects.js";
import { COMMAND_TYPES, type CommandOf, type CommandType } from "../../commands/commands.js";
import { accountOf, type RequestContext } from "../../commands/context.js";
import type { Directories, Lookup } from "../../commands/directory.js";
import { BatonError } from "../../errors.js";
import type { Handlers } from "../handlers/handler.js";
import type { AccessResult, GrantView } from "./access-results.js";
import type { AccessService } from "./access-service.js";

type AccessCommandType = "access.grant" | "access.revoke" | "access.show" | "access.whoami";

export interface AccessHandlerDeps {
  access: AccessService;
  directories: Directories;
  isWorkflow: (name: string) => boolean;
  now: () => Date;
}

/** A grant as the command names it, read on the subject's platform and checked against what exists. */
interface Target {
  subject: Subject;
  role: string;
  channel: string | null;
  workflow: string | null;
}

const invalid = (message: string) => new BatonError("invalid_command", message);

function unwrap<T>(read: Read<T>): T {
  if (!read.ok) throw invalid(read.message);
  return read.value;
}

const platformOf = (subject: Subject) => {
  const key = subject.kind === "person" ? subject.account : subject.group;
  return key.slice(0, key.indexOf(":"));
};
const idOf = (key: string) => key.slice(key.indexOf(":") + 1);

export function view(
  grant: Pick<Grant, "subject" | "role" | "channel" | "workflow" | "grantedBy" | "grantedAt">,
): GrantView {
  return {
    subject: subjectLabel(grant.subject),
    role: grant.role,
    channel: grant.channel,
    workflow: grant.workflow,
    grantedBy: grant.grantedBy,
    grantedAt: grant.grantedAt,
  };
}

/** Grants, revocations and who may do what (README "Permissions"); the policy itself is `AccessService`. */
export function accessHandlers(deps: AccessHandlerDeps): Handlers<AccessCommandType> {
  return {
    "access.grant": (command, context) => grant(command, context, deps),
    "access.revoke": (command, context) => revoke(command, context, deps),
    "access.show": (command, context) => show(command, context, deps),
    "access.whoami": (_command, context) => whoami(context, deps),
  };
}

async function readTarget(
  command: CommandOf<"access.grant" | "access.revoke">,
  platform: string,
  deps: AccessHandlerDeps,
): Promise<Target> {
  const subject = unwrap(readSubject(command.subject, platform));
  const role = deps.access.book.get(command.role);
  if (role === undefined)
    throw invalid(`There is no role \`${command.role}\`; roles are ${deps.access.book.names().join(", ")}.`);
  const channel = command.channel === undefined ? null : unwrap(readChannel(command.channel, platformOf(subject)));
  if (command.workflow !== undefined && !deps.isWorkflow(command.workflow))
    throw invalid(`There is no workflow \`${command.workflow}\`; \`/orchestrate workflows\` lists them.`);
  return { subject, role: role.name, channel, workflow: command.workflow ?? null };
}

/** The platform must know the ids a new grant names; a platform that cannot be asked refuses. */
async function checkKnown(target: Target, deps: AccessHandlerDeps): Promise<void> {
  const platform = platformOf(target.subject);
  const directory = deps.directories.of(platform);
  if (directory === null) return;
  const key = target.subject.kind === "person" ? target.subject.account : target.subject.group;
  const what = target.subject.kind === "person" ? "user" : "group";
  const found = await (what === "user" ? directory.user(idOf(key)) : directory.group(idOf(key)));
  refuseUnknown(found, `${platform} has no ${what} \`${idOf(key)}\``);
  if (target.channel !== null)
    refuseUnknown(
      await directory.channel(target.channel),
      `${platform} has no channel \`${target.channel}\` baton can see`,
    );
}

function refuseUnknown(found: Lookup, missing: string): void {
  if ("error" in found) throw new BatonError("unavailable", `baton could not check that id: ${found.error}.`);
  if (!found.found) throw invalid(`${missing}; check the mention and that baton is in that workspace or server.`);
}

/** The command types a role allows in some form. */
function typesOf(deps: AccessHandlerDeps, role: string): CommandType[] {
  const allow = deps.access.book.get(role)?.allow ?? [];
  return COMMAND_TYPES.filter((type) => allow.some((pattern) => coversType(pattern, type)));
}

/** Nobody hands out more than they hold where the grant applies. */
async function checkNotMore(target: Target, context: RequestContext, deps: AccessHandlerDeps): Promise<void> {
  const who = await deps.access.identify(context.actor);
  const mine = await deps.access.permitted(who, { channel: target.channel });
  const beyond = typesOf(deps, target.role).filter((type) => !mine.has(type));
  if (beyond.length === 0) return;
  throw new BatonError(
    "denied",
    `You cannot grant ${target.role}: it allows ${beyond.slice(0, 3).join(", ")}${beyond.length > 3 ? "…" : ""}, which you may not run there yourself.`,
  );
}

async function grant(
  command: CommandOf<"access.grant">,
  context: RequestContext,
  deps: AccessHandlerDeps,
): Promise<AccessResult> {
  const target = await readTarget(command, context.actor.platform, deps);
  await checkNotMore(target, context, deps);
  await checkKnown(target, deps);
  const stored = { ...target, grantedBy: accountOf(context.actor), grantedAt: deps.now() };
  const added = await deps.access.addGrant(stored);
  return { type: "access.grant", grant: view(stored), added };
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function matches(grant: Grant, target: Target): boolean {
  const a = grant.subject.kind === "person" ? grant.subject.account : grant.subject.group;
  const b = target.subject.kind === "person" ? target.subject.account : target.subject.group;
  return (
    grant.subject.kind === target.subject.kind &&
    same(a, b) &&
    same(grant.role, target.role) &&
    (grant.channel ?? "") === (target.channel ?? "") &&
    (grant.workflow ?? "") === (target.workflow ?? "")
  );
}

/** What revoking would do, checked before baton asks to confirm (`preflight`) and again when it runs. */
export async function checkRevoke(
  command: CommandOf<"access.revoke">,
  platform: string,
  deps: AccessHandlerDeps,
): Promise<{ target: Target; existing: Grant }> {
  const target = await readTarget(command, platform, deps);
  const grants = await deps.access.grants();
  const existing = grants.find((grant) => matches(grant, target));
  const where = target.channel ? ` in ${target.channel}` : target.workflow ? ` for ${target.workflow}` : "";
  if (existing === undefined)
    throw new BatonError(
      "not_found",
      `${subjectLabel(target.subject)} holds no ${target.role} grant${where}; \`/orchestrate access\` lists the grants.`,
    );
  if (target.role === "admin" && target.channel === null && target.workflow === null) {
    const label = existing.subject.kind === "person" ? existing.subject.account : `group:${existing.subject.group}`;
    const others = (await deps.access.adminAccounts()).filter((admin) => !same(admin, label));
    if (others.length === 0)
      throw invalid(
        `${subjectLabel(target.subject)} is the last admin; grant admin to someone else (or name one in BATON_ADMINS) first.`,
      );
  }
  return { target, existing };
}

async function revoke(
  command: CommandOf<"access.revoke">,
  context: RequestContext,
  deps: AccessHandlerDeps,
): Promise<AccessResult> {
  const { target, existing } = await checkRevoke(command, context.actor.platform, deps);
  await deps.access.removeGrant(target);
  return { type: "access.revoke", grant: view(existing) };
}

async function show(
  command: CommandOf<"access.show">,
  context: RequestContext,
  deps: AccessHandlerDeps,
): Promise<AccessResult> {
  const grants = await deps.access.grants();
  const roles = deps.access.book
    .all()
    .map((role) => ({ name: role.name, description: deps.access.book.describe(role) }));
  const base = { type: "access.show" as const, roles, configuredAdmins: [...deps.access.configuredAdmins] };
  if (command.channel !== undefined) {
    const channel = unwrap(readChannel(command.channel, context.actor.platform));
    const there = grants.filter((grant) => grant.channel === null || same(grant.channel, channel));
    return { ...base, grants: there.map(view), channel };
  }
  if (command.subject === undefined) return { ...base, grants: grants.map(view) };
  const subject = unwrap(readSubject(command.subject, context.actor.platform));
  if (subject.kind === "group") {
    const theirs = grants.filter((grant) => grant.subject.kind === "group" && same(grant.subject.group, subject.group));
    return { ...base, grants: theirs.map(view), subject: subjectLabel(subject) };
  }
  const platform = platformOf(subject);
  const who = await deps.access.identify({ id: idOf(subject.account), name: idOf(subject.account), platform });
  const theirs = grants.filter(
    (grant) =>
      grant.subject.kind === "person" &&
      who.holder.accounts.some((account) =>
        same(account, grant.subject.kind === "person" ? grant.subject.account : ""),
      ),
  );
  const permitted = await deps.access.permitted(who, { channel: context.origin.channel });
  return {
    ...base,
    grants: theirs.map(view),
    subject: subjectLabel(subject),
    permitted: COMMAND_TYPES.filter((type) => permitted.has(type)),
  };
}

async function whoami(context: RequestContext, deps: AccessHandlerDeps): Promise<AccessResult> {
  const who = await deps.access.identify(context.actor);
  return {
    type: "access.whoami",
    accounts: [...who.holder.accounts],
    groups: [...who.holder.groups],
    roles: [...context.permission.roles],
    configuredAdmin: who.holder.configuredAdmin,
    channel: context.origin.channel,
    permitted: COMMAND_TYPES.filter((type) => context.permission.permitted.has(type)),
  };
}
