import { p2pConversation } from "../../src/conversation/ref.ts";
import { it, expect, beforeAll, afterAll } from "vitest";
import { describeOnEachStore, startApiNode, type ApiNode } from "../support/nim-api.ts";
import { createUsers, restSendText } from "../support/messaging.ts";

type Case = [what: string, params: Record<string, string | undefined>, param: string];

const long = (n: number) => "x".repeat(n);
/** `n` characters that are two UTF-16 units each: a limit counted in units would refuse half of them. */
const emoji = (n: number) => "😀".repeat(n);
/** What a malformed `option` can be; each must be a 414 naming it (it used to be a 500 for notifications). */
const badOptions: [string, string][] = [
  ["not JSON", "abc"],
  ["malformed JSON", '{"badge":'],
  ["NUL", "\u0000"],
  ["a lone surrogate", "\udc80{}"],
  ["1 MB", `{"badge":true,"pad":"${long(1_000_000)}"}`],
  ["an array", "[true]"],
  ["a __proto__ key", '{"__proto__":{"badge":true}}'],
];

describeOnEachStore("server API: message endpoints refuse bad input with 414 naming the parameter, changing nothing", (backend) => {
  let api: ApiNode;
  let msgid = "";
  let timetag = "";
  beforeAll(async () => {
    api = await startApiNode({ backend });
    await createUsers(api, "v1", "v2");
    const res = await restSendText(api, "v1", "v2", "seed", { msgidClient: "m1" });
    expect(res.code).toBe(200);
    const data = res.data as { msgid: number; timetag: number };
    msgid = String(data.msgid);
    timetag = String(data.timetag);
  });
  afterAll(async () => api.close());

  function table(): Record<string, { base: Record<string, string>; cases: Case[] }> {
    const now = String(Date.now() + 60_000);
    return {
      "msg/sendMsg": {
        base: { from: "v1", ope: "0", to: "v2", type: "0", body: '{"msg":"x"}' },
        cases: [
          ["no from", { from: undefined }, "from"],
          ["bad from", { from: "bad id!" }, "from"],
          ["long from", { from: long(33) }, "from"],
          ["bad ope", { ope: "2" }, "ope"],
          ["no ope", { ope: undefined }, "ope"],
          ["no to", { to: undefined }, "to"],
          ["history-only type", { type: "5" }, "type"],
          ["bad type", { type: "abc" }, "type"],
          ["no body", { body: undefined }, "body"],
          ["body not JSON", { body: "{msg" }, "body"],
          ["body an array", { body: "[1]" }, "body"],
          ["body too long", { body: JSON.stringify({ msg: long(5000) }) }, "body"],
          ["empty text", { body: '{"msg":""}' }, "body.msg"],
          ["text not a string", { body: '{"msg":1}' }, "body.msg"],
          ["image without url", { type: "1", body: '{"w":1}' }, "body.url"],
          ["voice without dur", { type: "2", body: '{"url":"https://x/a.aac"}' }, "body.dur"],
          ["location off the map", { type: "4", body: '{"title":"t","lng":1,"lat":100}' }, "body.lat"],
          ["option not JSON", { option: "{x" }, "option"],
          ["a known option key with an unknown one beside it, not boolean", { option: '{"foo":1,"roam":0}' }, "option.roam"],
          ["option not boolean", { option: '{"roam":"no"}' }, "option.roam"],
          ["long ext", { ext: long(1025) }, "ext"],
          ["empty msgidClient", { msgidClient: "" }, "msgidClient"],
          ["long msgidClient", { msgidClient: long(129) }, "msgidClient"],
          ["129 characters of msgidClient", { msgidClient: emoji(129) }, "msgidClient"],
          // The service's own name for it is clientMsgId: the caller is told the parameter it sent.
          ["the other side's msgidClient", { from: "v2", to: "v1", msgidClient: "m1" }, "msgidClient"],
          ["long pushcontent", { pushcontent: long(501) }, "pushcontent"],
          // The official SDKs' spellings are checked the same way.
          ["long pushContent", { pushContent: long(501) }, "pushContent"],
          ["long msgDesc", { msgDesc: long(501) }, "msgDesc"],
          ["forcePushList not an array", { forcePushList: "v2" }, "forcePushList"],
          ["long forcePushContent", { forcePushContent: long(501) }, "forcePushContent"],
          ["forcePushAll not boolean", { forcePushAll: "yes" }, "forcePushAll"],
          ["payload not JSON", { payload: "nope" }, "payload"],
          ["antispam not boolean", { antispam: "yes" }, "antispam"],
          ["subType 0", { subType: "0" }, "subType"],
          ["markRead 2", { markRead: "2" }, "markRead"],
          ["forcepushlist not an array", { forcepushlist: "v2" }, "forcepushlist"],
          ["checkFriend not boolean", { checkFriend: "1" }, "checkFriend"],
        ],
      },
      "msg/sendBatchMsg": {
        base: { fromAccid: "v1", toAccids: '["v2"]', type: "0", body: '{"msg":"x"}' },
        cases: [
          ["no fromAccid", { fromAccid: undefined }, "fromAccid"],
          ["toAccids not JSON", { toAccids: "v2" }, "toAccids"],
          ["toAccids empty", { toAccids: "[]" }, "toAccids"],
          ["too many toAccids", { toAccids: JSON.stringify(Array.from({ length: 501 }, (_, i) => `u${i}`)) }, "toAccids"],
          ["bad accid in toAccids", { toAccids: '["v2","bad id!"]' }, "toAccids.1"],
          ["sender among recipients", { toAccids: '["v1","v2"]' }, "toAccids"],
          ["returnMsgid not boolean", { returnMsgid: "1" }, "returnMsgid"],
          ["bad body", { body: '{"msg":""}' }, "body.msg"],
          ["bad option", { option: '{"roam":"x"}' }, "option.roam"],
          ["long pushContent", { pushContent: long(501) }, "pushContent"],
          ["long msgDesc", { msgDesc: long(501) }, "msgDesc"],
        ],
      },
      "msg/markReadMsg": {
        base: { from: "v2", to: "v1", msgidClient: "m1" },
        cases: [
          ["no msgidClient", { msgidClient: undefined }, "msgidClient"],
          ["bad from", { from: "a b" }, "from"],
          ["no to", { to: undefined }, "to"],
          ["to is from", { to: "v2" }, "to"],
        ],
      },
      "msg/recall": {
        base: { deleteMsgid: msgid, timetag, type: "7", from: "v1", to: "v2" },
        cases: [
          ["msgid not a number", { deleteMsgid: "abc" }, "deleteMsgid"],
          ["msgid 0", { deleteMsgid: "0" }, "deleteMsgid"],
          ["no timetag", { timetag: undefined }, "timetag"],
          ["bad timetag", { timetag: "yesterday" }, "timetag"],
          ["bad type", { type: "13" }, "type"],
          ["team type with an account as to", { type: "8" }, "to"],
          ["bad ignoreTime", { ignoreTime: "2" }, "ignoreTime"],
          ["no from", { from: undefined }, "from"],
          ["payload not JSON", { payload: "x" }, "payload"],
          ["to is from", { to: "v1" }, "to"],
        ],
      },
      "msg/delMsgOneWay": {
        base: { deleteMsgid: msgid, timetag, type: "13", from: "v1", to: "v2" },
        cases: [
          ["no msgid", { deleteMsgid: undefined }, "deleteMsgid"],
          ["recall type", { type: "7" }, "type"],
          ["team type with an account as to", { type: "14" }, "to"],
          ["bad to", { to: "!" }, "to"],
        ],
      },
      "msg/sendAttachMsg": {
        base: { from: "v1", msgtype: "0", to: "v2", attach: '{"k":1}' },
        cases: [
          ["bad msgtype", { msgtype: "2" }, "msgtype"],
          ["team msgtype with an account as to", { msgtype: "1" }, "to"],
          ["no attach", { attach: undefined }, "attach"],
          ["long attach", { attach: long(4097) }, "attach"],
          ["bad save", { save: "3" }, "save"],
          ["bad option", { option: '{"roam":true}' }, "option"],
          ...badOptions.map(([what, option]): Case => [`option ${what}`, { option }, "option"]),
          ["option not boolean", { option: '{"badge":1}' }, "option.badge"],
          ["long sound", { sound: long(31) }, "sound"],
          ["no to", { to: undefined }, "to"],
        ],
      },
      "msg/sendBatchAttachMsg": {
        base: { fromAccid: "v1", toAccids: '["v2"]', attach: "hello" },
        cases: [
          ["toAccids not JSON", { toAccids: "[v2" }, "toAccids"],
          ["no attach", { attach: undefined }, "attach"],
          ["bad save", { save: "0" }, "save"],
          ...badOptions.map(([what, option]): Case => [`option ${what}`, { option }, "option"]),
        ],
      },
      "history/querySessionMsg": {
        base: { from: "v1", to: "v2", begintime: "0", endtime: now, limit: "10" },
        cases: [
          ["limit 0", { limit: "0" }, "limit"],
          ["limit 101", { limit: "101" }, "limit"],
          ["no limit", { limit: undefined }, "limit"],
          ["bad begintime", { begintime: "x" }, "begintime"],
          ["no endtime", { endtime: undefined }, "endtime"],
          ["endtime before begintime", { begintime: "100", endtime: "99" }, "endtime"],
          ["bad reverse", { reverse: "3" }, "reverse"],
          ["bad type list", { type: "a,b" }, "type"],
          ["endtime past 2^53", { endtime: "9999999999999999" }, "endtime"],
          ["excludeMsgid not a msgid", { excludeMsgid: "abc" }, "excludeMsgid"],
          ["to is from", { to: "v1" }, "to"],
        ],
      },
      "history/querySessionList": {
        base: { accid: "v1" },
        cases: [
          ["no accid", { accid: undefined }, "accid"],
          ["limit 0", { limit: "0" }, "limit"],
          ["limit 101", { limit: "101" }, "limit"],
          ["bad needLastMsg", { needLastMsg: "2" }, "needLastMsg"],
          ["bad minTimestamp", { minTimestamp: "-1" }, "minTimestamp"],
          ["max before min", { minTimestamp: "10", maxTimestamp: "9" }, "maxTimestamp"],
        ],
      },
    };
  }

  it("answers 414 naming the parameter for every bad input of every endpoint", async () => {
    const failures: string[] = [];
    for (const [path, { base, cases }] of Object.entries(table())) {
      for (const [what, change, param] of cases) {
        const params: Record<string, string> = { ...base };
        for (const [k, v] of Object.entries(change)) {
          if (v === undefined) delete params[k];
          else params[k] = v;
        }
        const res = await api.call(path, params);
        if (res.code !== 414 || !res.desc?.startsWith(`${param}:`)) failures.push(`${path} ${what}: ${JSON.stringify(res)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("counts every length limit in characters (code points), in the form check and the message check alike", async () => {
    await createUsers(api, "u1", "u2");
    const body = (n: number) => JSON.stringify({ msg: emoji(n) }); // {"msg":"…"} is n + 10 characters
    const send = (params: Record<string, string>) => api.call("msg/sendMsg", { from: "u1", ope: "0", to: "u2", type: "0", ...params });
    expect(await send({ body: body(4990), msgidClient: emoji(128), ext: emoji(1024) })).toMatchObject({ code: 200 });
    expect(await send({ body: body(4991) })).toMatchObject({ code: 414, desc: "body: too long: at most 5000 characters" });
    const [m] = await api.node.messaging.history(api.appKey, { accid: "u1", conv: p2pConversation("u1", "u2"), limit: 10, order: "asc" });
    expect(m).toMatchObject({ clientMsgId: emoji(128), ext: emoji(1024), body: { msg: emoji(4990) } });
    expect(await api.call("msg/sendAttachMsg", { from: "u1", msgtype: "0", to: "u2", attach: emoji(4096) })).toMatchObject({ code: 200 });
    expect(await api.call("user/updateUinfo", { accid: "u1", name: emoji(64) })).toMatchObject({ code: 200 });
    expect(await api.call("user/updateUinfo", { accid: "u1", name: emoji(65) })).toMatchObject({
      code: 414,
      desc: "name: too long: at most 64 characters",
    });
  });

  it("changed nothing: one message, not recalled, not read, not hidden; no notification stored", async () => {
    for (const [a, b] of [
      ["v1", "v2"],
      ["v2", "v1"],
    ] as const) {
      const msgs = await api.node.messaging.history(api.appKey, { accid: a, conv: p2pConversation(a, b), limit: 100, order: "asc" });
      expect(msgs.map((m) => [m.seq, m.body, m.recalled])).toEqual([[1, { msg: "seed" }, undefined]]);
    }
    const [conv] = await api.node.messaging.conversations(api.appKey, "v2");
    expect(conv).toMatchObject({ peer: "v1", lastSeq: 1, readSeq: 0, unread: 1 });
    const sync = await api.node.messaging.sync(api.appKey, "v2", { cursors: { "v1|v2": 1 } });
    expect(sync.notifications).toEqual([]);
  });

  it("describes every message endpoint in the OpenAPI document, with its parameters", async () => {
    const doc = (await (await fetch(`${api.url}/nimserver/openapi.json`)).json()) as {
      paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } } }>;
    };
    for (const [path, { base }] of Object.entries(table())) {
      const props =
        doc.paths[`/nimserver/${path}.action`]?.post.requestBody.content["application/x-www-form-urlencoded"]?.schema.properties;
      expect(Object.keys(props ?? {}), path).toEqual(expect.arrayContaining(Object.keys(base)));
    }
  });

  it("the valid base calls work (so the cases above failed for the reason named)", async () => {
    for (const [path, { base }] of Object.entries(table())) {
      if (path === "msg/recall" || path === "msg/delMsgOneWay") continue; // they change the seed; covered elsewhere
      const res = await api.call(path, base);
      expect(res.code, `${path}: ${JSON.stringify(res)}`).toBe(200);
    }
  });
});
