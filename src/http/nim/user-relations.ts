import { z } from "zod";
import { NimbusError } from "../../protocol/errors.ts";
import { endpoint, type NimEndpoint } from "./endpoint.ts";
import { accid, intEnum } from "./params.ts";
import { askUser } from "./user-ask.ts";

const setSpecialRelation = endpoint({
  module: "user",
  action: "setSpecialRelation",
  summary: "Add an account to, or remove it from, the blacklist (relationType 1) or mute list (2)",
  params: z.object({ accid: accid(), targetAcc: accid(), relationType: intEnum([1, 2]), value: intEnum([0, 1]) }),
  async handler(ctx, p) {
    if (p.targetAcc === p.accid) throw new NimbusError("PARAM_ERROR", "targetAcc: must not be the account itself");
    // The target's own actor is the only one that knows whether it exists.
    const target = await askUser(ctx, p.targetAcc, { t: "get" });
    if (!target) throw new NimbusError("NOT_FOUND", `targetAcc: account ${p.targetAcc} does not exist`);
    await askUser(ctx, p.accid, {
      t: "setSpecialRelation",
      targetAcc: p.targetAcc,
      relationType: p.relationType,
      value: p.value,
      max: ctx.app.limits.maxRelationsPerList,
    });
    return {};
  },
});

const listBlackAndMuteList = endpoint({
  module: "user",
  action: "listBlackAndMuteList",
  summary: "An account's blacklist and mute list",
  params: z.object({ accid: accid() }),
  async handler(ctx, p) {
    const lists = await askUser(ctx, p.accid, { t: "listRelations" });
    return { blacklist: lists.blacklist, mutelist: lists.mutelist };
  },
});

/** Blacklist and mute list. */
export const relationEndpoints: readonly NimEndpoint[] = [setSpecialRelation, listBlackAndMuteList];
