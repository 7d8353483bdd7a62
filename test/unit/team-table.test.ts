import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { LocalBus } from "../../src/bus/local.ts";
import type { BusLogger } from "../../src/bus/handlers.ts";
import { SubjectTable } from "../../src/gateway/subject-table.ts";
import { TeamTable } from "../../src/gateway/team-table.ts";
import type { LocalUser } from "../../src/gateway/device-table.ts";
import type { DeviceSession } from "../../src/gateway/device-session.ts";
import { encodeUserEventOf } from "../../src/protocol/user-events.ts";

const quiet: BusLogger = { error: () => {} };

/** A local user whose devices record the frames written to them. */
function user(accid: string, deviceIds: string[], frames: Map<string, Uint8Array[]>): LocalUser {
  const devices = new Map<string, DeviceSession>();
  for (const id of deviceIds) {
    const got: Uint8Array[] = [];
    frames.set(`${accid}/${id}`, got);
    devices.set(id, { deliver: (f: Uint8Array) => void got.push(f) } as unknown as DeviceSession);
  }
  return { appKey: "app1", accid, subject: `user.app1.${accid}`, devices, subscribed: Promise.resolve() };
}

describe("TeamTable", () => {
  it("one subscription per team with local members; one frame, the same bytes, to every local member's devices but the sender's", async () => {
    const bus = new LocalBus({ logger: quiet });
    const subjects = new SubjectTable(bus, pino({ level: "silent" }));
    const teams = new TeamTable(subjects, pino({ level: "silent" }));
    const frames = new Map<string, Uint8Array[]>();
    const [a, b, c] = [user("a", ["a1", "a2"], frames), user("b", ["b1"], frames), user("c", ["c1"], frames)];
    await teams.join(a, "7");
    await teams.join(b, "7");
    await teams.join(c, "8");
    expect(subjects.countsByKind()).toEqual({ team: 2 });

    bus.publish("team.app1.7", encodeUserEventOf("msg", { seq: 1 }, { accid: "a", deviceId: "a1" }));
    await bus.flush();
    expect(frames.get("a/a1")).toEqual([]); // the sending device has its ack
    expect(frames.get("a/a2")).toHaveLength(1);
    expect(frames.get("b/b1")).toHaveLength(1);
    expect(frames.get("b/b1")![0]).toBe(frames.get("a/a2")![0]); // one encode for all
    expect(frames.get("c/c1")).toEqual([]); // another team

    teams.leave(a, "7");
    expect(subjects.has("team.app1.7")).toBe(true); // b is still here
    teams.userGone(b);
    expect(subjects.has("team.app1.7")).toBe(false);
    teams.userGone(c);
    expect(subjects.size).toBe(0);
    await bus.close();
  });
});
