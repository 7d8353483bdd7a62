import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { ApiNode, NimResponse } from "./nim-api.ts";
import { inBatches } from "./batches.ts";

/** A friend as `friend/get` and `friend/getByAccid` show it. */
export interface FriendView {
  faccid: string;
  alias: string;
  ex: string;
  serverex: string;
  bidirection: boolean;
  createtime: number;
  updatetime: number;
}

/** Account ids no other test on the same node uses: `<prefix>_<random>`, lower case, ≤ 32. */
export function accids<const N extends string>(...names: N[]): Record<N, string> {
  const tag = randomBytes(4).toString("hex");
  return Object.fromEntries(names.map((n) => [n, `${n}_${tag}`])) as Record<N, string>;
}

export { inBatches };

/** Creates accounts over the API (`user/create`), a few at a time, and insists each worked. */
export async function createAccounts(api: ApiNode, ids: readonly string[], concurrency = 16): Promise<void> {
  await inBatches(ids, concurrency, async (accid) => {
    const res = await api.call("user/create", { accid });
    expect(res, `user/create ${accid}`).toMatchObject({ code: 200 });
  });
}

export function expectOk(res: NimResponse, what: string): void {
  expect(res, what).toMatchObject({ code: 200 });
}

export async function addFriend(api: ApiNode, accid: string, faccid: string, type: 1 | 2 | 3 | 4, extra: Record<string, string> = {}) {
  return api.call("friend/add", { accid, faccid, type: String(type), ...extra });
}

/** `friend/get` since `updatetime` (default: all), sorted by faccid so lists compare. */
export async function friendsOf(api: ApiNode, accid: string, updatetime = 0): Promise<FriendView[]> {
  const res = await api.call("friend/get", { accid, updatetime: String(updatetime) });
  expectOk(res, `friend/get ${accid}`);
  const friends = res.friends as FriendView[];
  expect(res.size).toBe(friends.length);
  return [...friends].sort((a, b) => a.faccid.localeCompare(b.faccid));
}

export async function faccidsOf(api: ApiNode, accid: string): Promise<string[]> {
  return (await friendsOf(api, accid)).map((f) => f.faccid);
}

/** `friend/getByAccid`'s friend, or undefined on 404. */
export async function friendOf(api: ApiNode, accid: string, faccid: string): Promise<FriendView | undefined> {
  const res = await api.call("friend/getByAccid", { accid, faccid });
  if (res.code === 404) return undefined;
  expectOk(res, `friend/getByAccid ${accid} ${faccid}`);
  return res.friend as FriendView;
}
