import { expect } from "vitest";
import { userAddress, type RelationLists, type TokenCheck, type TokenInfo, type UserRecord } from "../../src/contracts/user.ts";
import type { ApiNode } from "./nim-api.ts";

/** Creates an account over the API and insists it worked. */
export async function createUser(api: ApiNode, accid: string, params: Record<string, string> = {}): Promise<TokenInfo> {
  const res = await api.call("user/create", { accid, ...params });
  expect(res, `user/create ${accid}`).toMatchObject({ code: 200 });
  return res.info as TokenInfo;
}

/** The account's uinfo as getUinfos answers it, or undefined when it is not there. */
export async function uinfoOf(api: ApiNode, accid: string): Promise<Record<string, unknown> | undefined> {
  const res = await api.call("user/getUinfos", { accids: JSON.stringify([accid]) });
  expect(res.code).toBe(200);
  return (res.uinfos as Record<string, unknown>[])[0];
}

export async function relationsOf(api: ApiNode, accid: string): Promise<RelationLists> {
  const res = await api.call("user/listBlackAndMuteList", { accid });
  expect(res.code).toBe(200);
  return { blacklist: res.blacklist as string[], mutelist: res.mutelist as string[] };
}

/** The realtime link's login check, asked of the actor directly. */
export function verifyToken(api: ApiNode, accid: string, token: string): Promise<TokenCheck> {
  return api.node.system.ask(userAddress(api.appKey, accid), { t: "verifyToken", token });
}

/** Everything the actor answers about the account, including what the API does not show (donnop). */
export function recordOf(api: ApiNode, accid: string): Promise<UserRecord | null> {
  return api.node.system.ask(userAddress(api.appKey, accid), { t: "get" });
}

/** The stored snapshot's state, straight from the store. */
export async function storedStateOf(api: ApiNode, accid: string): Promise<unknown> {
  const snap = await api.node.store.snapshots.load("user", `${api.appKey}/${accid}`);
  return snap?.state ?? null;
}
