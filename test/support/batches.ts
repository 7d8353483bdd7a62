/**
 * Runs `work` over `items` with at most `limit` in flight; results in the order of `items`. The
 * same helper the node uses (src/util/map-limit.ts): tests making thousands of accounts or
 * clients share it rather than each keeping its own.
 */
export { mapLimit as inBatches } from "../../src/util/map-limit.ts";
