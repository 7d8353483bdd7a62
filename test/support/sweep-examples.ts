import type { ApiNode } from "./nim-api.ts";

/**
 * A valid request for every server-API endpoint, for the bad-input sweep to spoil one parameter
 * at a time, and the read-backs that show an endpoint's data is still readable after a request it
 * accepted. An endpoint without an example here fails the sweep: add one with the endpoint.
 *
 * Each fixture has accounts of its own (names start with its tag), so what one endpoint's sweep
 * did to its data (a message that no longer reads, say) cannot spoil another's. `<tag>a` and
 * `<tag>b` are friends and have a conversation; `<tag>c` is `<tag>a`'s friend until friend/delete's
 * example removes it; `<tag>x` is the one the account examples block, mute and edit, so the
 * messaging examples never depend on what those did.
 */
export interface SweepExample {
  params: Record<string, string>;
}

/** A request that reads what an endpoint writes. */
export interface ReadBack {
  path: string;
  params: Record<string, string>;
}

export interface SweepFixture {
  examples: Record<string, SweepExample>;
  /** Read-backs by module: each must answer 200 after any request that answered 200. */
  readBacks: Record<string, ReadBack[]>;
}

const FAR_FUTURE = "9999999999999";

async function ok(api: ApiNode, path: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await api.call(path, params);
  if (res.code !== 200) throw new Error(`sweep setup: ${path} ${JSON.stringify(params)} answered ${JSON.stringify(res)}`);
  return res;
}

/** Creates what the examples refer to, for accounts named after `tag` (a few letters), and answers them. */
export async function sweepFixture(api: ApiNode, tag: string): Promise<SweepFixture> {
  const [sa, sb, sc, sx, fresh] = ["a", "b", "c", "x", "new"].map((s) => `${tag}${s}`) as [string, string, string, string, string];
  for (const accid of [sa, sb, sc, sx]) await ok(api, "user/create", { accid });
  for (const faccid of [sb, sc]) await ok(api, "friend/add", { accid: sa, faccid, type: "1" });
  const sent = async (msgidClient: string) => {
    const res = await ok(api, "msg/sendMsg", { from: sa, ope: "0", to: sb, type: "0", body: '{"msg":"setup"}', msgidClient });
    const data = res.data as { msgid: number; timetag: number };
    return { deleteMsgid: String(data.msgid), timetag: String(data.timetag) };
  };
  await sent("sweep-read");
  const toRecall = await sent("sweep-recall");
  const toDelete = await sent("sweep-delete");

  const body = '{"msg":"hi"}';
  const examples: Record<string, SweepExample> = {
    "user/create": { params: { accid: fresh, name: "n" } },
    "user/update": { params: { accid: sx, props: "{}" } },
    "user/refreshToken": { params: { accid: sx } },
    "user/block": { params: { accid: sx } },
    "user/unblock": { params: { accid: sx } },
    "user/mute": { params: { accid: sx, mute: "false" } },
    "user/muteModule": { params: { accid: sx, muteP2P: "false" } },
    "user/setDonnop": { params: { accid: sx, donnopOpen: "false" } },
    "user/updateUinfo": { params: { accid: sx, name: "x", ex: "{}" } },
    "user/getUinfos": { params: { accids: JSON.stringify([sa]) } },
    "user/setSpecialRelation": { params: { accid: sx, targetAcc: sa, relationType: "1", value: "0" } },
    "user/listBlackAndMuteList": { params: { accid: sx } },
    "user/userOnlineStatus": { params: { accids: JSON.stringify([sa]) } },
    "friend/add": { params: { accid: sa, faccid: sb, type: "1" } },
    "friend/update": { params: { accid: sa, faccid: sb, alias: "b", ex: "{}" } },
    "friend/delete": { params: { accid: sa, faccid: sc } },
    "friend/get": { params: { accid: sa, updatetime: "0" } },
    "friend/getByAccid": { params: { accid: sa, faccid: sb } },
    "msg/sendMsg": { params: { from: sa, ope: "0", to: sb, type: "0", body, option: '{"roam":true}', ext: "{}" } },
    "msg/sendBatchMsg": { params: { fromAccid: sa, toAccids: JSON.stringify([sb]), type: "0", body, option: '{"roam":true}' } },
    "msg/markReadMsg": { params: { from: sb, to: sa, msgidClient: "sweep-read" } },
    "msg/recall": { params: { ...toRecall, type: "7", from: sa, to: sb } },
    "msg/delMsgOneWay": { params: { ...toDelete, type: "13", from: sa, to: sb } },
    "msg/sendAttachMsg": { params: { from: sa, msgtype: "0", to: sb, attach: '{"typing":true}', option: '{"badge":false}' } },
    "msg/sendBatchAttachMsg": {
      params: { fromAccid: sa, toAccids: JSON.stringify([sb]), attach: '{"typing":true}', option: '{"badge":false}' },
    },
    "history/querySessionMsg": { params: { from: sa, to: sb, begintime: "0", endtime: FAR_FUTURE, limit: "10" } },
    "history/querySessionList": { params: { accid: sa, needLastMsg: "1" } },
    "history/queryUserEvents": { params: { accid: sa, begintime: "0", endtime: FAR_FUTURE, limit: "10" } },
    "event/subscribe/add": { params: { accid: sa, eventType: "1", publisherAccids: JSON.stringify([sb, sc]), ttl: "3600" } },
    "event/subscribe/delete": { params: { accid: sa, eventType: "1", publisherAccids: JSON.stringify([sc]) } },
    "event/subscribe/batchdel": { params: { accid: sx, eventType: "1" } },
    "event/subscribe/query": { params: { accid: sa, eventType: "1", publisherAccids: JSON.stringify([sb, sc]) } },
  };

  const conversation: ReadBack[] = [
    { path: "history/querySessionMsg", params: { from: sa, to: sb, begintime: "0", endtime: FAR_FUTURE, limit: "100" } },
    { path: "history/querySessionList", params: { accid: sa, needLastMsg: "1" } },
    { path: "history/querySessionList", params: { accid: sb, needLastMsg: "1" } },
  ];
  const readBacks = {
    user: [{ path: "user/getUinfos", params: { accids: JSON.stringify([sa, sb, sx, fresh]) } }],
    friend: [{ path: "friend/get", params: { accid: sa, updatetime: "0" } }],
    msg: conversation,
    history: conversation,
    "event/subscribe": [
      { path: "event/subscribe/query", params: { accid: sa, eventType: "1", publisherAccids: JSON.stringify([sb, sc]) } },
    ],
  };
  return { examples, readBacks };
}
