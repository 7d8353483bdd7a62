import type { Bus } from "./bus/mod.ts";
import type { ActorSystem, Membership } from "./runtime/mod.ts";
import type { Gateway } from "./gateway/mod.ts";
import type { NodeMetrics } from "./util/metrics.ts";
import type { ConsoleCluster, ConsoleNodeStats } from "./http/console/types.ts";
import { encodeUserEvent, KickReason, userSubject } from "./protocol/user-events.ts";
import type { Logger } from "./util/log.ts";

/** How often the message counter is sampled for the console's rate chart, and how many samples are kept (10 minutes). */
const SAMPLE_MS = 5000;
const SAMPLES = 120;
const CONVERSATIONS_SHOWN = 200;
const ASK_TIMEOUT_MS = 2000;

/** Actor kinds that are conversations, and how many members one has when the kind says so. */
const CONVERSATION_KINDS: Record<string, number | null> = { session: 2, team: null, superteam: null, chatroom: null };

const statsSubject = (nodeId: string) => `node.${nodeId}.console`;

/**
 * The operator console's view of the cluster: each node answers its own stats on
 * `node.<id>.console` (so a console on any node shows every node), and keeps a short history of its
 * message counter for the rate chart.
 */
export function serveConsoleStats(deps: {
  nodeId: string;
  address: () => string;
  startedAt: number;
  bus: Bus;
  system: ActorSystem;
  membership: Membership;
  gateway: Gateway;
  metrics: NodeMetrics;
  log: Logger;
}): { cluster: ConsoleCluster; stop(): void } {
  const samples: [number, number][] = [];
  const messagesNow = async (): Promise<[number, number]> => [
    Date.now(),
    (await deps.metrics.messages.get()).values.reduce((sum, v) => sum + v.value, 0),
  ];
  const sample = async () => {
    samples.push(await messagesNow());
    if (samples.length > SAMPLES) samples.shift();
  };
  void sample();
  const timer = setInterval(() => void sample().catch(() => undefined), SAMPLE_MS);
  timer.unref();

  const local = async (): Promise<ConsoleNodeStats> => {
    const g = deps.gateway.stats();
    const conversations: ConsoleNodeStats["conversations"] = [];
    for (const address of deps.system.activeAddresses(Number.MAX_SAFE_INTEGER)) {
      if (conversations.length >= CONVERSATIONS_SHOWN) break;
      const [kind, app, ...rest] = address.split("/");
      if (kind === undefined || app === undefined || !(kind in CONVERSATION_KINDS)) continue;
      conversations.push({ kind, app, id: rest.join("/"), members: CONVERSATION_KINDS[kind] ?? null });
    }
    return {
      nodeId: deps.nodeId,
      address: deps.address(),
      startedAt: deps.startedAt,
      users: g.users,
      devices: g.devices,
      sockets: g.sockets,
      subjects: g.subjects,
      actors: deps.system.load(),
      conversations,
      // The history, and the count as of now, so a rate shows without waiting for the next sample.
      messageSamples: [...samples, await messagesNow()],
    };
  };
  const sub = deps.bus.serve(statsSubject(deps.nodeId), async () => new TextEncoder().encode(JSON.stringify(await local())));

  const cluster: ConsoleCluster = {
    async nodes() {
      const answers = await Promise.all(
        deps.membership.members().map(async (id) => {
          if (id === deps.nodeId) return local();
          try {
            const reply = await deps.bus.request(statsSubject(id), new Uint8Array(), { timeoutMs: ASK_TIMEOUT_MS });
            return JSON.parse(new TextDecoder().decode(reply)) as ConsoleNodeStats;
          } catch (err) {
            deps.log.warn({ err: String(err), member: id }, "console: a member did not answer its stats");
            return undefined;
          }
        }),
      );
      return answers.filter((a): a is ConsoleNodeStats => a !== undefined);
    },
    kickDevice(appKey, accid, deviceId) {
      const kick = { ev: "kick" as const, reason: KickReason.SERVER, desc: "kicked by the operator", deviceIds: [deviceId] };
      deps.bus.publish(userSubject(appKey, accid), encodeUserEvent(kick));
    },
  };
  return {
    cluster,
    stop() {
      clearInterval(timer);
      sub.unsubscribe();
    },
  };
}
