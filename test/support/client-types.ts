import { NIM_CLIENT_TYPE_NUMBERS } from "../../src/protocol/client-type-number.ts";

/** The name of NIM's client type number (64 -> "MAC"), so tests can say which devices they mean. */
export function clientTypeName(n: number): string {
  const name = Object.entries(NIM_CLIENT_TYPE_NUMBERS).find(([, v]) => v === n)?.[0];
  if (name === undefined) throw new Error(`not a NIM client type number: ${n}`);
  return name;
}
