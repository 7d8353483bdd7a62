import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGatewayNode, type GatewayNode } from "./support.ts";

describe("/healthz", () => {
  let gw: GatewayNode;
  beforeAll(async () => {
    gw = await startGatewayNode();
  });
  afterAll(async () => gw.close());

  it("answers 200 ok, then 503 degraded naming why once the store cannot take writes", async () => {
    const ok = await fetch(`${gw.url}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: "ok", store: "sqlite" });
    expect(gw.node.store.unavailable()).toBeNull();

    // The store's own report is covered in test/unit/store-writer-failure.test.ts (a writer thread
    // that really dies); here the node reports what its store says.
    const store = gw.node.store;
    const real = store.unavailable.bind(store);
    store.unavailable = () => "sqlite writer thread exited (1)";
    try {
      const down = await fetch(`${gw.url}/healthz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ status: "degraded", storeError: "sqlite writer thread exited (1)" });
    } finally {
      store.unavailable = real;
    }
  });
});
