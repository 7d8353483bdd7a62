import type { ApiNode } from "./nim-api.ts";
import { Signalling } from "../../src/messaging/signal.ts";

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
  const toDeleteBoth = await sent("sweep-delete-both");

  const broadcastId = async (text: string) =>
    String(((await ok(api, "msg/broadcastMsg", { body: text })).msg as { broadcastId: number }).broadcastId);
  const toRead = await broadcastId("sweep-read");
  const toUnbroadcast = await broadcastId("sweep-delete");

  const signalRoom = async () => ((await ok(api, "signal/createRoom", { type: "1", from: sa })).data as { channelId: string }).channelId;
  const [channel, toClose, toKick] = [await signalRoom(), await signalRoom(), await signalRoom()];
  await ok(api, "signal/invite", { channelId: channel, from: sa, to: sb, requestId: "sweep-cancel" });
  // Only a device joins a room: the kick example's member joins through the service, as the gateway would.
  await new Signalling(api.node.system).room(api.appKey, toKick, { t: "join", accid: sb, deviceId: "sweep", attachExt: "" });

  const team = await teamFixture(api, tag, sa);
  const superTeam = await superTeamFixture(api, tag, sa);

  // A chat room of <tag>a's, with <tag>b's message in it (to recall) and one queue element.
  const room = (await ok(api, "chatroom/create", { creator: sa, name: "sweep" })).chatroom as { roomid: number };
  const roomid = String(room.roomid);
  const crSent = (await ok(api, "chatroom/sendMsg", { roomid, msgId: "sweep-cr", fromAccid: sb, msgType: "0", attach: "setup" }))
    .desc as unknown as {
    time: number;
  };
  await ok(api, "chatroom/queueOffer", { roomid, key: "k", value: "v" });

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
    "msg/delMsg": { params: { ...toDeleteBoth, type: "7", from: sa, to: sb } },
    "msg/delRoamSession": { params: { type: "1", from: sb, to: sa } },
    "msg/sendAttachMsg": { params: { from: sa, msgtype: "0", to: sb, attach: '{"typing":true}', option: '{"badge":false}' } },
    "msg/sendBatchAttachMsg": {
      params: { fromAccid: sa, toAccids: JSON.stringify([sb]), attach: '{"typing":true}', option: '{"badge":false}' },
    },
    "history/querySessionMsg": { params: { from: sa, to: sb, begintime: "0", endtime: FAR_FUTURE, limit: "10" } },
    "history/querySessionList": { params: { accid: sa, needLastMsg: "1" } },
    "history/queryTeamMsg": { params: { tid: team.tid, accid: sa, begintime: "0", endtime: FAR_FUTURE, limit: "10" } },
    ...team.examples,
    ...superTeam.examples,
    "msg/broadcastMsg": { params: { body: "hello all", from: sa, isOffline: "true", ttl: "24", targetOs: '["ios","web"]' } },
    "history/queryBroadcastMsg": { params: { broadcastId: "0", limit: "10", type: "1" } },
    "history/queryBroadcastMsgById": { params: { broadcastId: toRead } },
    "history/delBroadcastMsgById": { params: { broadcastId: toUnbroadcast } },
    "msg/upload": { params: { content: "aGVsbG8=", type: "text/plain", ishttps: "false", expireSec: "86400", tag: "sweep" } },
    "msg/fileUpload": { params: { content: "aGVsbG8=", type: "text/plain", expireSec: "86400", tag: "sweep" } },
    "signal/createRoom": { params: { type: "2", from: sa, ext: "{}", isRoute: "1" } },
    "signal/delayRoom": { params: { channelId: channel } },
    "signal/closeRoom": { params: { channelId: toClose, from: sa, isSave: "0", attachExt: "bye", isRoute: "1" } },
    "signal/getRoomInfo": { params: { channelId: channel } },
    "signal/ctrlRoom": { params: { channelId: channel, from: sa, attachExt: "ctrl", isRoute: "1" } },
    "signal/invite": {
      params: {
        channelId: channel,
        from: sa,
        to: sc,
        requestId: "sweep-invite",
        attachExt: "x",
        needPush: "0",
        needBadge: "0",
        isSave: "1",
      },
    },
    "signal/cancelInvite": { params: { channelId: channel, from: sa, to: sb, requestId: "sweep-cancel", attachExt: "x" } },
    "signal/kick": { params: { channelId: toKick, from: sa, to: sb, attachExt: "x", isSave: "0" } },
    "job/nos/del": { params: { startTime: "0", endTime: FAR_FUTURE, contentType: "text", tag: "sweep" } },
    "chatroom/create": { params: { creator: sa, name: "n", announcement: "a", broadcasturl: "u", ext: "e", queuelevel: "0" } },
    "chatroom/get": { params: { roomid, needOnlineUserCount: "true" } },
    "chatroom/getBatch": { params: { roomids: JSON.stringify([room.roomid]), needOnlineUserCount: "false" } },
    "chatroom/update": { params: { roomid, name: "n2", announcement: "a2", needNotify: "true", notifyExt: "x" } },
    "chatroom/toggleCloseStat": { params: { roomid, operator: sa, valid: "true" } },
    "chatroom/updateInOutNotification": { params: { roomid, close: "false" } },
    "chatroom/updateDelayClosePolicy": { params: { roomid, delayClosePolicy: "0", delaySeconds: "60" } },
    "chatroom/requestAddr": { params: { roomid, accid: sb, clienttype: "1" } },
    "chatroom/queryUserRoomIds": { params: { creator: sa } },
    "chatroom/setMemberRole": { params: { roomid, operator: sa, target: sx, opt: "2", optvalue: "true", notifyExt: "x" } },
    "chatroom/temporaryMute": { params: { roomid, operator: sa, target: sx, muteDuration: "0", needNotify: "true" } },
    "chatroom/muteRoom": { params: { roomid, operator: sa, mute: "false", needNotify: "false" } },
    "chatroom/kickMember": { params: { roomid, targetAccid: sx, accid: sa, notifyExt: "x" } },
    "chatroom/membersByPage": { params: { roomid, type: "0", endtime: "0", limit: "10" } },
    "chatroom/queryMembers": { params: { roomid, accids: JSON.stringify([sa, sb]) } },
    "chatroom/addRobot": { params: { roomid, accids: JSON.stringify([sc]), roleExt: "r", notifyExt: "x" } },
    "chatroom/removeRobot": { params: { roomid, accids: JSON.stringify([sc]) } },
    "chatroom/queueInit": { params: { roomid, sizeLimit: "100" } },
    "chatroom/queueOffer": { params: { roomid, key: "k2", value: "v2", operator: sa, transient: "false" } },
    "chatroom/queuePoll": { params: { roomid, key: "" } },
    "chatroom/queueList": { params: { roomid } },
    "chatroom/queueDrop": { params: { roomid } },
    "chatroom/queueBatchUpdateElements": { params: { roomid, operator: sa, elements: '{"k":"v3"}', needNotify: "true" } },
    "chatroom/sendMsg": {
      params: {
        roomid,
        msgId: "sweep-cr-send",
        fromAccid: sb,
        msgType: "0",
        attach: "hi",
        ext: "e",
        resendFlag: "0",
        skipHistory: "0",
        highPriority: "false",
      },
    },
    "chatroom/recall": { params: { roomid, msgTimetag: String(crSent.time), fromAcc: sb, msgId: "sweep-cr", operatorAcc: sa } },
    "chatroom/queueMultiGet": { params: { roomid, keys: '["k","nope"]' } },
    "chatroom/queueBatchOffer": {
      params: {
        roomid,
        operator: sa,
        elements: JSON.stringify([
          { key: "kb1", value: "v" },
          { key: "kb2", value: "w", accid: sb },
        ]),
        needNotify: "true",
      },
    },
    "chatroom/cleanRobot": { params: { roomid, notify: "false" } },
    "chatroom/queryMembersByRole": { params: { roomid, roles: '{"creator":true,"manager":true}' } },
    "chatroom/updateMyRoomRole": { params: { roomid, accid: sa, save: "true", needNotify: "true", nick: "n", avator: "a", ext: "e" } },
    "chatroom/deleteHistoryMessage": { params: { roomid, fromAcc: sb, msgTimetag: String(crSent.time) } },
    "chatroom/sendMsgToSomeone": {
      params: { roomid, fromAccid: sb, toAccids: JSON.stringify([sa]), msgId: "sweep-some", msgType: "0", attach: "hi" },
    },
    "chatroom/batchSendMsgToSomeone": {
      params: { roomid, fromAccid: sb, toAccids: JSON.stringify([sa]), msgList: '[{"msgId":"sweep-bs1","msgType":0,"attach":"hi"}]' },
    },
    "chatroom/broadcast": { params: { fromAccid: sa, msgId: "sweep-all", msgType: "0", attach: "to all rooms" } },
    "chatroom/batchSendMsg": { params: { roomid, fromAccid: sb, msgList: '[{"msgId":"sweep-b1","msgType":0,"attach":"hi"}]' } },
    "history/queryChatroomMsg": { params: { roomid, accid: sa, timetag: "0", limit: "100", reverse: "2", type: "0" } },
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
    team: team.readBacks,
    superteam: superTeam.readBacks,
    history: [...conversation, { path: "history/queryChatroomMsg", params: { roomid, accid: sa, timetag: "0", limit: "200" } }],
    chatroom: <ReadBack[]>[
      { path: "chatroom/get", params: { roomid, needOnlineUserCount: "true" } },
      { path: "chatroom/queueList", params: { roomid } },
      { path: "chatroom/membersByPage", params: { roomid, type: "0", endtime: "0", limit: "100" } },
      { path: "history/queryChatroomMsg", params: { roomid, accid: sa, timetag: "0", limit: "200" } },
      { path: "chatroom/queryUserRoomIds", params: { creator: sa } },
    ],
    "event/subscribe": [
      { path: "event/subscribe/query", params: { accid: sa, eventType: "1", publisherAccids: JSON.stringify([sb, sc]) } },
    ],
  };
  return { examples, readBacks };
}

/**
 * Teams for the team examples, owned by `owner`: T (members b, c — a manager — d, e), T2 (for
 * team/remove) and T3 (for team/changeOwner), and one team message in T. Every example can run
 * after the others in catalogue order: each destructive one has a team or member of its own.
 */
async function teamFixture(
  api: ApiNode,
  tag: string,
  owner: string,
): Promise<{ tid: string; examples: Record<string, SweepExample>; readBacks: ReadBack[] }> {
  const [b, c, d, e, f] = ["tb", "tc", "td", "te", "tf"].map((s) => `${tag}${s}`) as [string, string, string, string, string];
  for (const accid of [b, c, d, e, f]) await ok(api, "user/create", { accid });
  const make = async (members: string[]) => {
    const res = await ok(api, "team/create", { tname: "t", owner, members: JSON.stringify(members), msg: "m", magree: "0", joinmode: "0" });
    return res.tid as string;
  };
  const tid = await make([b, c, d, e]);
  const [t2, t3] = [await make([b]), await make([b])];
  await ok(api, "team/addManager", { tid, owner, members: JSON.stringify([c]) });
  const sent = await ok(api, "msg/sendMsg", { from: owner, ope: "1", to: tid, type: "0", body: '{"msg":"team"}' });
  const msgid = String((sent.data as { msgid: number }).msgid);
  const examples: Record<string, SweepExample> = {
    "msg/markReadTeamMsg": { params: { accid: b, tid, msgids: JSON.stringify([Number(msgid)]) } },
    "team/create": { params: { tname: "t", owner, members: JSON.stringify([b]), msg: "m", magree: "0", joinmode: "0", custom: "{}" } },
    "team/add": { params: { tid, owner, members: JSON.stringify([f]), magree: "0", msg: "m" } },
    "team/kick": { params: { tid, owner, member: d } },
    "team/remove": { params: { tid: t2, owner } },
    "team/update": { params: { tid, owner, tname: "n", announcement: "a" } },
    "team/changeOwner": { params: { tid: t3, owner, newowner: b, leave: "2" } },
    "team/addManager": { params: { tid, owner, members: JSON.stringify([b]) } },
    "team/removeManager": { params: { tid, owner, members: JSON.stringify([c]) } },
    "team/leave": { params: { tid, accid: e } },
    "team/updateTeamNick": { params: { tid, owner, accid: b, nick: "n" } },
    "team/muteTeam": { params: { tid, accid: b, ope: "1" } },
    "team/muteTlist": { params: { tid, owner, accid: b, mute: "1" } },
    "team/muteTlistAll": { params: { tid, owner, muteType: "1" } },
    "team/listTeamMute": { params: { tid, owner } },
    "team/listMemberInfo": { params: { tid, accids: JSON.stringify([b]) } },
    "team/query": { params: { tids: JSON.stringify([tid]), ope: "1" } },
    "team/queryDetail": { params: { tid } },
    "team/joinTeams": { params: { accid: owner } },
    "team/getMarkReadInfo": { params: { tid, msgid, fromAccid: owner, snapshot: "true" } },
    "team/listOnlineUsers": { params: { tid } },
    "team/listOnlineUserCount": { params: { tids: JSON.stringify([tid]) } },
  };
  const readBacks: ReadBack[] = [
    { path: "team/query", params: { tids: JSON.stringify([tid]), ope: "1" } },
    { path: "team/queryDetail", params: { tid } },
    { path: "team/joinTeams", params: { accid: owner } },
    { path: "history/queryTeamMsg", params: { tid, accid: owner, begintime: "0", endtime: FAR_FUTURE, limit: "100" } },
  ];
  return { tid, examples, readBacks };
}

/**
 * Super teams for the superteam examples, owned by `owner`: S (members b, c — a manager — d, e),
 * S2 (for dismiss) and S3 (for changeOwner), and one message in S (to recall) and one to read by id.
 */
async function superTeamFixture(
  api: ApiNode,
  tag: string,
  owner: string,
): Promise<{ tid: string; examples: Record<string, SweepExample>; readBacks: ReadBack[] }> {
  const [b, c, d, e, f] = ["sb", "sc", "sd", "se", "sf"].map((s) => `${tag}${s}`) as [string, string, string, string, string];
  for (const accid of [b, c, d, e, f]) await ok(api, "user/create", { accid });
  const make = async (members: string[]) => {
    const res = await ok(api, "superteam/create", { owner, inviteAccids: JSON.stringify(members), tname: "s", msg: "m", joinmode: "0" });
    return String(res.tid);
  };
  const tid = await make([b, c, d, e]);
  const [s2, s3] = [await make([b]), await make([b])];
  await ok(api, "superteam/addManager", { tid, owner, managerAccids: JSON.stringify([c]) });
  const send = async (text: string) => {
    const sent = await ok(api, "superteam/sendMsg", { tid, fromAccid: owner, type: "0", body: JSON.stringify({ msg: text }) });
    return sent.data as { msgid: number; timetag: number };
  };
  const toRecall = await send("recall me");
  const toRead = await send("read me");
  const examples: Record<string, SweepExample> = {
    "superteam/create": {
      params: { owner, inviteAccids: JSON.stringify([b]), tname: "s", msg: "m", joinmode: "0", tlevel: "500", serverCustom: "{}" },
    },
    "superteam/dismiss": { params: { tid: s2, owner } },
    "superteam/invite": { params: { tid, owner, inviteAccids: JSON.stringify([f]), msg: "m" } },
    "superteam/kick": { params: { tid, owner, kickAccids: JSON.stringify([d]) } },
    "superteam/leave": { params: { tid, accid: e } },
    "superteam/changeOwner": { params: { tid: s3, owner, accid: b, leave: "2" } },
    "superteam/addManager": { params: { tid, owner, managerAccids: JSON.stringify([b]) } },
    "superteam/removeManager": { params: { tid, owner, managerAccids: JSON.stringify([c]) } },
    "superteam/mute": { params: { tid, owner, muteType: "1" } },
    "superteam/muteTlist": { params: { tid, owner, muteAccids: JSON.stringify([b]), mute: "1" } },
    "superteam/changeLevel": { params: { tid, owner, tlevel: "3000" } },
    "superteam/updateTinfo": { params: { tid, owner, tname: "n", announcement: "a", serverCustom: "{}" } },
    "superteam/getTinfos": { params: { tids: JSON.stringify([tid]) } },
    "superteam/getTlists": { params: { tid, timetag: "0", limit: "100", reverse: "1" } },
    "superteam/getMuteTlists": { params: { tid, limit: "100" } },
    "superteam/joinTeams": { params: { accid: owner } },
    "superteam/updateTlist": { params: { tid, accid: c, nick: "n", silentType: "1" } },
    "superteam/updateTeamNick": { params: { tid, owner, accid: b, nick: "nn" } },
    "superteam/sendMsg": { params: { tid, fromAccid: owner, type: "0", body: '{"msg":"hi"}' } },
    "superteam/sendAttachMsg": { params: { from: owner, to: tid, attach: '{"typing":true}' } },
    "superteam/recallMsg": { params: { deleteMsgid: String(toRecall.msgid), timetag: String(toRecall.timetag), from: owner, to: tid } },
    "superteam/queryHistoryMsg": { params: { tid, accid: owner, begintime: "0", endtime: FAR_FUTURE, limit: "10" } },
    "superteam/queryHistoryMsgByIds": {
      params: { msgs: JSON.stringify([{ msgid: toRead.msgid, from: owner, to: Number(tid), time: toRead.timetag }]) },
    },
  };
  const readBacks: ReadBack[] = [
    { path: "superteam/getTinfos", params: { tids: JSON.stringify([Number(tid)]) } },
    { path: "superteam/getTlists", params: { tid, limit: "2000" } },
    { path: "superteam/joinTeams", params: { accid: owner } },
    { path: "superteam/queryHistoryMsg", params: { tid, accid: owner, begintime: "0", endtime: FAR_FUTURE, limit: "100" } },
  ];
  return { tid, examples, readBacks };
}
