import type { SequenceStore } from "../store/port.ts";

/** Values reserved per round trip to the store: one reservation serves this many ids. */
export const ID_BLOCK_SIZE = 1000;

interface Block {
  next: number;
  /** Last value of the block, inclusive. */
  last: number;
  /** The reservation in flight, shared by every caller that found the block used up. */
  refill: Promise<void> | null;
}

/**
 * Cluster-unique numeric ids (NIM's server `msgid`) without a store round trip per id: each node
 * reserves blocks of `blockSize` consecutive values from the store's `SequenceStore` and hands
 * them out from memory. Ids are unique and grow within a node, but are not gap-free (a node that
 * stops loses the rest of its block) nor ordered across nodes — order lives in a conversation's
 * `seq`, never in msgids.
 */
export class IdBlocks {
  private readonly blocks = new Map<string, Block>();

  constructor(
    private readonly sequences: SequenceStore,
    private readonly blockSize = ID_BLOCK_SIZE,
  ) {}

  async next(name: string): Promise<number> {
    let block = this.blocks.get(name);
    if (!block) {
      block = { next: 1, last: 0, refill: null };
      this.blocks.set(name, block);
    }
    // A loop, not an if: callers woken by one refill may use it up before this one runs again.
    while (block.next > block.last) {
      block.refill ??= this.refill(name, block);
      await block.refill;
    }
    return block.next++;
  }

  private async refill(name: string, block: Block): Promise<void> {
    try {
      const first = await this.sequences.reserve(name, this.blockSize);
      block.next = first;
      block.last = first + this.blockSize - 1;
    } finally {
      block.refill = null;
    }
  }
}
