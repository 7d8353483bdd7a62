/**
 * The layer rules of Nimbus, checked by `npm run lint` and .ci/run. A folder is a layer and
 * imports point down:
 *
 *   edges:        src/http, src/gateway (parse and call)          src/client (the SDK)
 *   services:     src/messaging, src/relations, src/teams (and the services to come)
 *   domain:       actors/ (by kind)
 *   contracts:    src/contracts (each actor kind's typed protocol)
 *   base:         src/conversation, src/runtime, src/store, src/bus, src/protocol, src/util
 *
 * The SDK imports only what runs in a browser (protocol, conversation ids); nothing imports it.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "protocol-is-the-bottom",
      comment: "src/protocol is the wire shared by server and SDK: it imports nothing of Nimbus above it.",
      severity: "error",
      from: { path: "^src/protocol/" },
      to: { path: "^(src/(?!protocol/)|actors/)" },
    },
    {
      name: "base-layers-point-down",
      comment: "runtime, store and bus import only each other's ports, protocol and util — never services, actors or edges.",
      severity: "error",
      from: { path: "^src/(runtime|store|bus|util)/" },
      to: { path: "^(actors/|src/(messaging|http|gateway|client|contracts|conversation|config|apps|node\\.ts|main\\.ts))" },
    },
    {
      name: "conversation-is-base",
      comment: "the conversation reference and journal mapping sit on protocol and the store port only.",
      severity: "error",
      from: { path: "^src/conversation/" },
      to: { path: "^(actors/|src/(messaging|http|gateway|client|contracts|runtime|bus|config|apps))" },
    },
    {
      name: "contracts-are-interfaces",
      comment: "an actor protocol names data and replies; it never imports an implementation.",
      severity: "error",
      from: { path: "^src/contracts/" },
      to: { path: "^(actors/|src/(messaging|http|gateway|client|config))" },
    },
    {
      name: "messaging-does-not-know-actors",
      comment: "services reach actors through src/contracts only.",
      severity: "error",
      from: { path: "^src/(messaging|relations|teams|chatrooms)/" },
      to: { path: "^actors/" },
    },
    {
      name: "services-do-not-know-edges",
      comment: "services are called by the edges, never the other way round.",
      severity: "error",
      from: { path: "^src/(messaging|relations|teams|chatrooms)/" },
      to: { path: "^src/(http|gateway|client|node\\.ts|main\\.ts)" },
    },
    {
      name: "actors-do-not-know-services-or-edges",
      comment: "actors hold domain logic only and talk to the world through the runtime's context.",
      severity: "error",
      from: { path: "^actors/" },
      to: { path: "^src/(messaging|http|gateway|client|config|node\\.ts|main\\.ts)" },
    },
    {
      name: "nothing-imports-the-sdk",
      comment: "the server never imports the client SDK; the SDK imports the shared protocol.",
      severity: "error",
      from: { path: "^(src/(?!client/)|actors/)" },
      to: { path: "^src/client/" },
    },
    {
      name: "sdk-runs-in-browsers",
      comment: "the SDK imports only the shared wire and conversation ids, never server code.",
      severity: "error",
      from: { path: "^src/client/" },
      to: { path: "^(actors/|src/(?!client/|protocol/|conversation/ref\\.ts|util/uuid-v7\\.ts))" },
    },
    {
      name: "edges-do-not-import-each-other",
      comment: "http and gateway are two edges over the same services.",
      severity: "error",
      from: { path: "^src/http/" },
      to: { path: "^src/gateway/" },
    },
    {
      name: "gateway-does-not-import-http",
      severity: "error",
      from: { path: "^src/gateway/" },
      to: { path: "^src/http/" },
    },
    {
      name: "edges-call-services-not-actors",
      comment: "edges reach actors through services or contracts, never an actor implementation.",
      severity: "error",
      from: { path: "^src/(http|gateway)/" },
      to: { path: "^actors/" },
    },
    {
      name: "config-is-below-edges",
      comment: "the config schema owns its types; edges read them, not the other way round.",
      severity: "error",
      from: { path: "^src/config/" },
      to: { path: "^(actors/|src/(http|gateway|messaging|client))" },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs"] },
  },
};
