import type { ClientType } from "./link.ts";

export type ClientCategory = "desktop" | "mobile";

/**
 * NIM's multi-device policy 2 lets one desktop and one mobile device coexist: PC, Web and Mac are
 * desktops; Android, iOS and HarmonyOS are mobiles.
 */
export function clientCategory(type: ClientType): ClientCategory {
  switch (type) {
    case "PC":
    case "WEB":
    case "MAC":
      return "desktop";
    case "AOS":
    case "IOS":
    case "HARMONY":
      return "mobile";
  }
}
