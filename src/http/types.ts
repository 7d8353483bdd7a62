import type { BusKind } from "../bus/port.ts";
import type { StoreKind } from "../store/port.ts";
import type { ActorSystem } from "../runtime/system.ts";
import type { AppRegistry } from "../apps/registry.ts";
import type { AppHooksReport } from "../hooks/mod.ts";

/** What the HTTP layer may know about the node it serves. */
export interface NodeInfo {
  nodeId: string;
  storeKind: StoreKind;
  /** Why the store cannot take writes, or null (see Store.unavailable). */
  storeUnavailable(): string | null;
  busKind: BusKind;
  members(): readonly string[];
  system: ActorSystem;
  apps: AppRegistry;
  /** Devices online on this node by client type (the gateway's count). */
  devicesByClientType(): ReadonlyMap<string, number>;
  /** Chat room members on this node and the normal messages their receive budgets dropped (the gateway's count). */
  chatrooms?(): { members: number; droppedByBudget: number } | undefined;
  /** The app server hooks' counters per app (data sync, callbacks), when the node has hooks. */
  hooks?: () => Promise<Record<string, AppHooksReport>>;
}
