// The operator console's script: plain browser JavaScript, no build step. It keeps the operator
// token in this tab's sessionStorage and sends it as a Bearer header; nothing secret goes in a URL.
"use strict";

const TOKEN_KEY = "nimbus.operatorToken";
const REFRESH_MS = 3000;
const $ = (id) => document.getElementById(id);
let timer;
let chart;
let shownUser;

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

async function api(path, body) {
  const res = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${token()}`, ...(body !== undefined && { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await res.json().catch(() => ({ error: res.statusText }));
  if (res.status === 401) {
    signOut("That token was not accepted.");
    throw new Error(answer.error);
  }
  if (!res.ok) throw new Error(answer.error || res.statusText);
  return answer;
}

/** A table row of text cells (textContent: whatever a user or device named itself is never HTML). */
function row(cells) {
  const tr = document.createElement("tr");
  for (const c of cells) {
    const td = document.createElement("td");
    if (c instanceof Node) td.append(c);
    else td.textContent = String(c);
    tr.append(td);
  }
  return tr;
}

function fill(tableId, rows, empty) {
  const body = $(tableId).querySelector("tbody");
  body.replaceChildren(...(rows.length ? rows : [row([empty])]));
}

const ago = (ms) => {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
};

function showRates(nodes) {
  const datasets = nodes.map((n) => {
    const points = [];
    for (let i = 1; i < n.messageSamples.length; i++) {
      const [t0, c0] = n.messageSamples[i - 1];
      const [t1, c1] = n.messageSamples[i];
      if (t1 > t0) points.push({ x: t1, y: Math.max(0, (c1 - c0) / ((t1 - t0) / 1000)) });
    }
    return { label: n.nodeId, data: points, tension: 0.25, pointRadius: 3 };
  });
  // The last ten minutes (what each node keeps), so a fresh node's few points sit at the right edge.
  const now = Date.now();
  const window10 = { min: now - 10 * 60_000, max: now };
  if (!chart) {
    chart = new Chart($("rate-chart"), {
      type: "line",
      data: { datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: { type: "linear", ...window10, ticks: { stepSize: 60_000, callback: (v) => new Date(v).toLocaleTimeString() } },
          y: { beginAtZero: true, suggestedMax: 1, title: { display: true, text: "messages/s" } },
        },
      },
    });
    window.nimbusConsole = { chart };
  } else {
    chart.data.datasets = datasets;
    Object.assign(chart.options.scales.x, window10);
    chart.update();
  }
}

async function refresh() {
  try {
    const { apps, nodes } = await api("/console/api/overview");
    fill(
      "apps",
      apps.map((a) => row([a.appKey, a.edition])),
      "no apps",
    );
    const select = $("lookup-app");
    if (select.options.length !== apps.length) {
      select.replaceChildren(...apps.map((a) => new Option(a.appKey, a.appKey)));
    }
    fill(
      "nodes",
      nodes.map((n) => row([n.nodeId, n.address, n.devices, n.users, n.sockets, n.actors.active, n.actors.mailboxDepth, ago(n.startedAt)])),
      "no nodes answered",
    );
    const convs = nodes.flatMap((n) => n.conversations.map((c) => row([c.kind, c.app, c.id, c.members ?? "?", n.nodeId])));
    fill("conversations", convs, "no live conversations");
    const subjects = {};
    for (const n of nodes) for (const [k, v] of Object.entries(n.subjects)) subjects[k] = (subjects[k] || 0) + v;
    $("subjects").textContent = `Bus subjects held for devices: ${
      Object.entries(subjects)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none"
    }`;
    showRates(nodes);
    $("status").textContent = `${nodes.length} node(s) · updated ${new Date().toLocaleTimeString()}`;
  } catch (err) {
    $("status").textContent = `refresh failed: ${err.message}`;
  }
}

async function lookUp(app, accid) {
  $("lookup-error").textContent = "";
  try {
    const u = await api(`/console/api/user?${new URLSearchParams({ app, accid })}`);
    shownUser = { app, accid: u.profile.accid };
    $("user").hidden = false;
    $("user-title").textContent = `${u.profile.accid} (${app})`;
    const dl = $("profile");
    dl.replaceChildren();
    for (const [k, v] of Object.entries(u.profile)) {
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = String(v);
      if (k === "valid" && v === false) dd.className = "badge-banned";
      dl.append(dt, dd);
    }
    $("ban").hidden = u.profile.valid === false;
    $("unban").hidden = u.profile.valid !== false;
    fill(
      "devices",
      u.devices.map((d) => {
        const kick = document.createElement("button");
        kick.type = "button";
        kick.className = "small danger kick";
        kick.textContent = "Kick";
        kick.dataset.deviceId = d.deviceId ?? "";
        kick.addEventListener("click", () => act("/console/api/kick", { ...shownUser, deviceId: d.deviceId }));
        return row([d.deviceId ?? "?", d.clientType, new Date(d.loginTime).toLocaleString(), kick]);
      }),
      "offline",
    );
    fill(
      "user-conversations",
      u.conversations.map((c) => row([c.peer, c.lastSeq, c.unread, new Date(c.updatedAt).toLocaleString()])),
      "none",
    );
  } catch (err) {
    $("user").hidden = true;
    $("lookup-error").textContent = err.message;
  }
}

async function act(path, body) {
  try {
    await api(path, body);
    $("status").textContent = `${path.split("/").pop()} ${body.accid}${body.deviceId ? ` / ${body.deviceId}` : ""}: done`;
    // The kick or ban travels over the bus; look again once it has landed.
    setTimeout(() => lookUp(shownUser.app, shownUser.accid), 500);
  } catch (err) {
    $("lookup-error").textContent = err.message;
  }
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  clearInterval(timer);
  $("main").hidden = true;
  $("logout").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message || "";
}

function start() {
  $("login").hidden = true;
  $("main").hidden = false;
  $("logout").hidden = false;
  refresh();
  clearInterval(timer);
  timer = setInterval(refresh, REFRESH_MS);
}

$("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("token").value);
  $("token").value = "";
  start();
});
$("logout").addEventListener("click", () => signOut());
$("lookup-form").addEventListener("submit", (e) => {
  e.preventDefault();
  lookUp($("lookup-app").value, $("lookup-accid").value.trim());
});
$("ban").addEventListener("click", () => act("/console/api/ban", shownUser));
$("unban").addEventListener("click", () => act("/console/api/unban", shownUser));

if (token()) start();
else signOut();
