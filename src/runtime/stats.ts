/** The runtime's counters: plain numbers on the hot path, read by /metrics and /healthz. */
export interface RuntimeStats {
  /** Activations started on this node since it started. */
  activations: number;
  passivations: number;
  /** Activations dropped because another activation of the same actor wrote first. */
  fenced: number;
  /** Messages handled by actors here, and how many of those threw. */
  handled: number;
  failed: number;
  /** Messages refused because a mailbox was full. */
  overloaded: number;
  /** Messages sent to, and received from, other nodes. */
  remoteOut: number;
  remoteIn: number;
}

export function emptyStats(): RuntimeStats {
  return { activations: 0, passivations: 0, fenced: 0, handled: 0, failed: 0, overloaded: 0, remoteOut: 0, remoteIn: 0 };
}
