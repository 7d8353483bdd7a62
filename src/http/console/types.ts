/** One node as the operator console shows it (answered by each node over the bus). */
export interface ConsoleNodeStats {
  nodeId: string;
  address: string;
  startedAt: number;
  /** Users and devices online on the node, and its open sockets. */
  users: number;
  devices: number;
  sockets: number;
  /** Bus subjects the node holds for its devices, by kind (user, and team or chatroom as they land). */
  subjects: Record<string, number>;
  actors: { active: number; mailboxDepth: number };
  /** Live conversation actors on the node (at most 200): kind, app, id and members where known. */
  conversations: { kind: string; app: string; id: string; members: number | null }[];
  /** Messages accepted on this node, total, sampled every few seconds: `[ms since epoch, total]`. */
  messageSamples: [number, number][];
}

/** What the console needs from the node, beside the actor system and messaging (wired in node.ts). */
export interface ConsoleCluster {
  /** Every live member's stats; a member that does not answer in time is left out. */
  nodes(): Promise<ConsoleNodeStats[]>;
  /** Kicks one device of a user, cluster-wide (NIM reason 5: by the server). */
  kickDevice(appKey: string, accid: string, deviceId: string): void;
}
