/** Who asked, and where: everything the orchestrator needs to know about a request besides the Command. */
export interface Actor {
  id: string;
  name: string;
  platform: string;
}

export interface Origin {
  platform: string;
  workspace: string | null;
  channel: string | null;
  thread: string | null;
}

export interface RequestContext {
  actor: Actor;
  origin: Origin;
  /** Decided by the policy: whether this actor may run state-changing commands (filters `help`). */
  canChangeState: boolean;
  /** This request's own audit row, which `history` leaves out while it is still open. */
  auditId?: number;
}
