import { describe, it, expect } from "vitest";
import { ownerOf } from "../../src/runtime/placement.ts";

const addresses = Array.from({ length: 6000 }, (_, i) => `session/app1/user${i}|peer${i * 7}`);

describe("rendezvous placement", () => {
  it("is deterministic and independent of member order", () => {
    for (const a of addresses.slice(0, 200)) {
      expect(ownerOf(a, ["n1", "n2", "n3"])).toBe(ownerOf(a, ["n3", "n1", "n2"]));
    }
  });

  it("spreads addresses roughly evenly", () => {
    const counts = new Map<string, number>();
    for (const a of addresses) {
      const o = ownerOf(a, ["n1", "n2", "n3"]);
      counts.set(o, (counts.get(o) ?? 0) + 1);
    }
    for (const n of ["n1", "n2", "n3"]) {
      expect(counts.get(n)).toBeGreaterThan(1600);
      expect(counts.get(n)).toBeLessThan(2400);
    }
  });

  it("moves only the departed member's addresses when one leaves", () => {
    for (const a of addresses) {
      const before = ownerOf(a, ["n1", "n2", "n3"]);
      const after = ownerOf(a, ["n1", "n3"]);
      if (before !== "n2") expect(after).toBe(before);
    }
  });

  it("gives a joining member about a quarter of four", () => {
    let moved = 0;
    for (const a of addresses) {
      const before = ownerOf(a, ["n1", "n2", "n3"]);
      const after = ownerOf(a, ["n1", "n2", "n3", "n4"]);
      if (before !== after) {
        expect(after).toBe("n4");
        moved++;
      }
    }
    expect(moved / addresses.length).toBeGreaterThan(0.2);
    expect(moved / addresses.length).toBeLessThan(0.3);
  });
});
