import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { startTestSystem, type TestSystem } from "../support/actor-system.ts";
import { SuperTeamBucketActor } from "../../actors/superteam/bucket.ts";
import { unpackMember } from "../../actors/superteam/member-record.ts";
import { SUPER_TEAM_BUCKET_KIND, superTeamBucketAddress, type StoredSuperTeamMember } from "../../src/contracts/superteam.ts";

/** Full records as buckets stored them before records were packed. */
const legacy: StoredSuperTeamMember[] = [
  {
    accid: "own",
    role: "owner",
    nick: "",
    custom: "",
    mute: false,
    notifyOff: false,
    invitor: "",
    createtime: 1_700_000_000_000,
    updatetime: 1_700_000_000_000,
    readSeq: 3,
    joinSeq: 1,
  },
  {
    accid: "__proto__",
    role: "normal",
    nick: "n",
    custom: "c",
    mute: true,
    notifyOff: true,
    invitor: "own",
    createtime: 1_700_000_000_001,
    updatetime: 1_700_000_000_500,
    readSeq: 1,
    joinSeq: 1,
    hiddenAtSeq: 2,
  },
];

/** A super team bucket on a real runtime and SQLite: full records stored before are read, and stored packed from the next write. */
describe("super team bucket records", () => {
  let t: TestSystem;
  beforeAll(async () => {
    t = await startTestSystem();
    t.system.register(SUPER_TEAM_BUCKET_KIND, (ctx) => new SuperTeamBucketActor(ctx));
  });
  afterAll(async () => t.close());

  it("reads full records stored before, answers them packed, and stores packed ones at the next write", async () => {
    await t.store.snapshots.save(SUPER_TEAM_BUCKET_KIND, "app/7-3", { members: legacy }, 0);
    const ref = superTeamBucketAddress("app", "7", 3);
    const loaded = await t.system.ask(ref, { t: "load" });
    expect(loaded).toEqual([
      { accid: "own", createtime: 1_700_000_000_000, joinSeq: 1, readSeq: 3, role: "owner" },
      {
        accid: "__proto__",
        createtime: 1_700_000_000_001,
        joinSeq: 1,
        invitor: "own",
        updatetime: 1_700_000_000_500,
        nick: "n",
        custom: "c",
        mute: true,
        notifyOff: true,
        hiddenAtSeq: 2,
      },
    ]);
    // Nothing is lost in packing.
    expect(loaded.map(unpackMember)).toEqual(legacy);

    const joined = { accid: "m1", createtime: 1_700_000_000_002, joinSeq: 4, invitor: "own" };
    await t.system.ask(ref, { t: "write", put: [joined], remove: ["own"] });
    const stored = (await t.store.snapshots.load(SUPER_TEAM_BUCKET_KIND, "app/7-3"))!.state as { members: unknown[] };
    expect(stored.members).toEqual([loaded[1], joined]);
  });
});
