/**
 * A lean XMPP client for the peer benchmark (ejabberd): the stanzas a chat client sends, over
 * plain TCP on loopback, without an XML library. It registers in-band (XEP-0077) when asked,
 * authenticates with SASL PLAIN, binds a resource, sends initial presence (so one-to-one messages
 * to the bare JID reach it), and then only sends `<message type="chat">` and reads the `<body>` of
 * the messages it receives. The texts it carries are the open loop's "step.i": digits and a dot,
 * nothing that needs escaping. Lean for the same reason as lean-client.ts: the generators should
 * take little of the machine the servers are measured on; an XML DOM per stanza would not.
 */
import { connect, type Socket } from "node:net";

export interface XmppLogin {
  host: string;
  port: number;
  /** The XMPP domain (ejabberd's `hosts`). */
  domain: string;
  username: string;
  password: string;
  /** Register the account in-band first; "already registered" (409) counts as done. */
  register: boolean;
  /** Called with the text of each chat message received. */
  onBody(body: string): void;
}

const STREAM_OPEN = (domain: string) =>
  `<?xml version='1.0'?><stream:stream to='${domain}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`;

export class XmppDevice {
  private buffer = "";
  /** Handshake waits: a pattern that ends the wait, one that fails it. */
  private waiter: { ok: RegExp; fail: RegExp; resolve: (m: string) => void; reject: (e: Error) => void } | undefined;
  private streaming = false;
  private nextId = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly login: XmppLogin,
  ) {
    socket.setEncoding("utf8");
    socket.setNoDelay(true);
    socket.on("data", (chunk: string) => this.onData(chunk));
    socket.on("error", (err) => this.waiter?.reject(err));
    socket.on("close", () => this.waiter?.reject(new Error(`${login.username}: connection closed`)));
  }

  /** Connects, (registers,) authenticates, binds and goes available; resolves when messages can flow. */
  static async open(login: XmppLogin): Promise<XmppDevice> {
    const socket = connect({ host: login.host, port: login.port });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const device = new XmppDevice(socket, login);
    await device.handshake();
    return device;
  }

  private async handshake(): Promise<void> {
    const { domain, username, password } = this.login;
    await this.exchange(STREAM_OPEN(domain), /<\/stream:features>/, /<stream:error/);
    if (this.login.register) {
      const reply = await this.exchange(
        `<iq type='set' id='reg'><query xmlns='jabber:iq:register'><username>${username}</username><password>${password}</password></query></iq>`,
        /<iq[^>]*id=['"]reg['"][^>]*(\/>|>[\s\S]*?<\/iq>)/,
        /<stream:error/,
      );
      if (/type=['"]error['"]/.test(reply) && !/conflict/.test(reply)) throw new Error(`${username}: registration refused: ${reply}`);
    }
    const plain = Buffer.from(`\0${username}\0${password}`).toString("base64");
    await this.exchange(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${plain}</auth>`, /<success/, /<failure/);
    await this.exchange(STREAM_OPEN(domain), /<\/stream:features>/, /<stream:error/);
    await this.exchange(
      `<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>bench</resource></bind></iq>`,
      /<iq[^>]*id=['"]bind['"][^>]*type=['"]result['"]|<iq[^>]*type=['"]result['"][^>]*id=['"]bind['"]/,
      /type=['"]error['"]/,
    );
    this.buffer = "";
    this.streaming = true;
    this.socket.write("<presence/>");
  }

  /** Writes `out` and waits until the buffer matches `ok` (resolved with the buffer) or `fail`. */
  private exchange(out: string, ok: RegExp, fail: RegExp): Promise<string> {
    this.buffer = "";
    const p = new Promise<string>((resolve, reject) => {
      this.waiter = { ok, fail, resolve, reject };
    });
    this.socket.write(out);
    return p;
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    if (!this.streaming) {
      const w = this.waiter;
      if (!w) return;
      if (w.fail.test(this.buffer) && !w.ok.test(this.buffer)) {
        this.waiter = undefined;
        w.reject(new Error(`${this.login.username}: ${this.buffer.slice(0, 300)}`));
      } else if (w.ok.test(this.buffer)) {
        this.waiter = undefined;
        w.resolve(this.buffer);
      }
      return;
    }
    // Messages only; presence and anything else between them is skipped.
    for (;;) {
      const end = this.buffer.indexOf("</message>");
      if (end < 0) break;
      const stanza = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 10);
      const body = /<body>([^<]*)<\/body>/.exec(stanza);
      if (body) this.login.onBody(body[1]!);
    }
    if (!this.buffer.includes("<message")) {
      const last = this.buffer.lastIndexOf(">");
      if (last >= 0) this.buffer = this.buffer.slice(last + 1);
    }
  }

  /**
   * Sends a chat message to `peer` (a username of the same domain). XMPP has no per-message answer
   * without stream management round trips, so this resolves once the bytes are handed to the
   * socket: the peer benchmark reports delivery latency, not ack latency, for ejabberd.
   */
  sendText(peer: string, text: string): Promise<void> {
    const id = (this.nextId++).toString(36);
    return new Promise((resolve, reject) =>
      this.socket.write(`<message to='${peer}@${this.login.domain}' type='chat' id='${id}'><body>${text}</body></message>`, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }

  close(): void {
    if (this.socket.destroyed) return;
    this.socket.end("</stream:stream>");
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }
}
