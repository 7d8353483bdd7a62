import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { LocalBus } from "../../src/bus/local.ts";
import type { BusLogger } from "../../src/bus/handlers.ts";
import { SubjectTable } from "../../src/gateway/subject-table.ts";

const quiet: BusLogger = { error: () => {} };
const one = Uint8Array.of(1);

describe("SubjectTable", () => {
  it("subscribes once for many holders, delivers each publish once, and unsubscribes after the last release", async () => {
    const bus = new LocalBus({ logger: quiet });
    const table = new SubjectTable(bus, pino({ level: "silent" }));
    const first: number[] = [];
    const second: number[] = [];
    await table.hold("team.app1.7", (d) => void first.push(d[0]!));
    await table.hold("team.app1.7", (d) => void second.push(d[0]!));
    expect(table.size).toBe(1);

    bus.publish("team.app1.7", one);
    await bus.flush();
    expect(first).toEqual([1]); // once, to the first holder's handler
    expect(second).toEqual([]);

    table.release("team.app1.7");
    bus.publish("team.app1.7", one);
    await bus.flush();
    expect(first).toEqual([1, 1]); // still held by one
    expect(table.has("team.app1.7")).toBe(true);

    table.release("team.app1.7");
    expect(table.has("team.app1.7")).toBe(false);
    bus.publish("team.app1.7", one);
    await bus.flush();
    expect(first).toEqual([1, 1]); // gone with the last holder
    table.release("team.app1.7"); // releasing what is not held does nothing
    expect(table.size).toBe(0);
    await bus.close();
  });

  it("counts the subjects held by kind", async () => {
    const bus = new LocalBus({ logger: quiet });
    const table = new SubjectTable(bus, pino({ level: "silent" }));
    await Promise.all([table.hold("user.a.x", () => {}), table.hold("user.a.y", () => {}), table.hold("team.a.1", () => {})]);
    expect(table.countsByKind()).toEqual({ user: 2, team: 1 });
    table.clear();
    expect(table.countsByKind()).toEqual({});
    await bus.close();
  });
});
