/**
 * An actor's address: `kind/appKey/id`, e.g. `session/app1/alice|bob` or `team/app1/1001`.
 * The id may contain anything but is never empty; kind and appKey contain no '/'.
 */
export interface ActorAddress {
  readonly kind: string;
  readonly appKey: string;
  readonly id: string;
}

const KIND_OR_APP = /^[A-Za-z0-9_.-]+$/;

export function formatAddress(a: ActorAddress): string {
  return `${a.kind}/${a.appKey}/${a.id}`;
}

export function parseAddress(text: string): ActorAddress {
  const first = text.indexOf("/");
  const second = first < 0 ? -1 : text.indexOf("/", first + 1);
  if (first <= 0 || second <= first + 1 || second === text.length - 1) {
    throw new TypeError(`not an actor address: ${JSON.stringify(text)}`);
  }
  return { kind: text.slice(0, first), appKey: text.slice(first + 1, second), id: text.slice(second + 1) };
}

export function address(kind: string, appKey: string, id: string): string {
  if (!KIND_OR_APP.test(kind)) throw new TypeError(`bad actor kind ${JSON.stringify(kind)}`);
  if (!KIND_OR_APP.test(appKey)) throw new TypeError(`bad app key ${JSON.stringify(appKey)}`);
  if (id.length === 0) throw new TypeError("empty actor id");
  return `${kind}/${appKey}/${id}`;
}
