/** What a router or the chat guard may know about a workflow that exists: its name and its inputs. */
export interface WorkflowInputHint {
  name: string;
  required: boolean;
  description?: string;
  /** Declared `secret: true`: never typed into chat (the dispatcher refuses it). */
  secret?: boolean;
}

export interface WorkflowHint {
  name: string;
  description?: string;
  inputs: WorkflowInputHint[];
}
