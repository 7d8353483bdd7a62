import type { PackedSuperTeamMember, StoredSuperTeamMember } from "../../src/contracts/superteam.ts";

/**
 * A super team keeps up to 10,000 member records in memory (in its buckets and in its own cache),
 * so each is packed: a field at its default ("", false, role normal, updatetime = createtime,
 * readSeq = joinSeq) is left out, and repeated strings (the invitor: mostly the owner) are shared.
 * A packed record is still a readable object, and the full records stored before are packed as
 * they are read (pack accepts both), so nothing stored needs migrating first.
 */
export type Interner = (s: string) => string;

/** Shares equal strings within one actor (invitors repeat: the owner brings most members in). */
export function interner(): Interner {
  const seen = new Map<string, string>();
  return (s) => {
    const known = seen.get(s);
    if (known !== undefined) return known;
    if (seen.size < 4096) seen.set(s, s);
    return s;
  };
}

/**
 * A full or packed record, packed; fields are set in one order so records share one shape. A
 * record already packed is kept as it is: the bucket and the super team on one node then hold one
 * copy between them (neither ever mutates a record; a change is a new one).
 */
export function packMember(m: StoredSuperTeamMember | PackedSuperTeamMember, intern: Interner): PackedSuperTeamMember {
  if (isPacked(m)) return m;
  const { accid, createtime, joinSeq } = m;
  const invitor = m.invitor ? intern(m.invitor) : "";
  const read = m.readSeq !== undefined && m.readSeq !== m.joinSeq ? m.readSeq : undefined;
  // One literal per common shape: V8 sizes a literal's object for its own fields, and a field
  // added later goes to a separate property array (40 bytes more per member).
  const p: PackedSuperTeamMember =
    read === undefined
      ? invitor
        ? { accid, createtime, joinSeq, invitor }
        : { accid, createtime, joinSeq }
      : invitor
        ? { accid, createtime, joinSeq, invitor, readSeq: read }
        : { accid, createtime, joinSeq, readSeq: read };
  if (m.role === "owner" || m.role === "manager") p.role = m.role === "owner" ? "owner" : "manager";
  if (m.updatetime !== undefined && m.updatetime !== m.createtime) p.updatetime = m.updatetime;
  if (m.nick) p.nick = m.nick;
  if (m.custom) p.custom = m.custom;
  if (m.mute) p.mute = true;
  if (m.notifyOff) p.notifyOff = true;
  if (m.hiddenAtSeq !== undefined) p.hiddenAtSeq = m.hiddenAtSeq;
  return p;
}

/** The full record (for the handlers and the answers), made when asked for. */
export function unpackMember(p: PackedSuperTeamMember): StoredSuperTeamMember {
  const m: StoredSuperTeamMember = {
    accid: p.accid,
    role: p.role ?? "normal",
    nick: p.nick ?? "",
    custom: p.custom ?? "",
    mute: p.mute === true,
    notifyOff: p.notifyOff === true,
    invitor: p.invitor ?? "",
    createtime: p.createtime,
    updatetime: p.updatetime ?? p.createtime,
    readSeq: p.readSeq ?? p.joinSeq,
    joinSeq: p.joinSeq,
  };
  if (p.hiddenAtSeq !== undefined) m.hiddenAtSeq = p.hiddenAtSeq;
  return m;
}

/** Nothing in it at its default, as packMember makes it (a full record passes only if so, and is then a valid packed one). */
function isPacked(m: StoredSuperTeamMember | PackedSuperTeamMember): m is PackedSuperTeamMember {
  return (
    m.role !== "normal" &&
    m.nick !== "" &&
    m.custom !== "" &&
    m.mute !== false &&
    m.notifyOff !== false &&
    m.invitor !== "" &&
    (m.readSeq === undefined || m.readSeq !== m.joinSeq) &&
    (m.updatetime === undefined || m.updatetime !== m.createtime)
  );
}
