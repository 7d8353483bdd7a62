/**
 * NIM's numbers for client types, as its server API and both official server SDKs carry them
 * (`fromclienttype` in history, `clientType` in online status): the SDKs type the field as an
 * integer, so a name there reads as 0 (Go) or fails to parse (Java).
 */
export const NIM_CLIENT_TYPE_NUMBERS: Readonly<Record<string, number>> = {
  AOS: 1,
  IOS: 2,
  PC: 4,
  WP: 8,
  WEB: 16,
  REST: 32,
  MAC: 64,
  HARMONY: 65,
};

/** NIM's number for a client type name; REST (32) for none or a name NIM has no number for. */
export function nimClientTypeNumber(name: string | undefined): number {
  return (name !== undefined && NIM_CLIENT_TYPE_NUMBERS[name]) || NIM_CLIENT_TYPE_NUMBERS.REST!;
}
