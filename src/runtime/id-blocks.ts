import type { SequenceStore } from "../store/port.ts";

/** Values reserved per round trip to the store: one reservation serves this many ids. */
export const ID_BLOCK_SIZE = 1000;

interface Block {
  next: number;
  /** Last value of the block, inclusive. */
  last: number;
  /** The block after this one, reserved ahead of need: `[first, last]`. */
  spare: [number, number] | null;
  /** The reservation in flight, shared by every caller that found the block used up. */
  refill: Promise<void> | null;
}

/**
 * Cluster-unique numeric ids (NIM's server `msgid`) without a store round trip per id: each node
 * reserves blocks of `blockSize` consecutive values from the store's `SequenceStore` and hands
 * them out from memory. Ids are unique and grow within a node, but are not gap-free (a node that
 * stops loses the rest of its block) nor ordered across nodes — order lives in a conversation's
 * `seq`, never in msgids.
 *
 * The next block is reserved once the current one is half used, so a busy node never waits for
 * the store here: a send that waited would hold its conversation's turn, and every conversation
 * of the node would wait for the same reservation.
 */
export class IdBlocks {
  private readonly blocks = new Map<string, Block>();

  constructor(
    private readonly sequences: SequenceStore,
    private readonly blockSize = ID_BLOCK_SIZE,
  ) {}

  /** The next id: a number when the block has one (or a spare block is ready), else a promise. */
  next(name: string): number | Promise<number> {
    let block = this.blocks.get(name);
    if (!block) {
      block = { next: 1, last: 0, spare: null, refill: null };
      this.blocks.set(name, block);
    }
    if (block.next > block.last && block.spare) {
      [block.next, block.last] = block.spare;
      block.spare = null;
    }
    return block.next > block.last ? this.nextAfterRefill(name, block) : this.take(name, block);
  }

  private async nextAfterRefill(name: string, block: Block): Promise<number> {
    // A loop, not an if: callers woken by one refill may use it up before this one runs again.
    while (block.next > block.last) {
      if (block.spare) {
        [block.next, block.last] = block.spare;
        block.spare = null;
        break;
      }
      block.refill ??= this.refill(name, block);
      await block.refill;
    }
    return this.take(name, block);
  }

  private take(name: string, block: Block): number {
    const id = block.next++;
    if (!block.spare && !block.refill && block.last - block.next < this.blockSize / 2) {
      // Ahead of need; if it fails, the caller that runs out retries it and hears the error.
      block.refill = this.refill(name, block);
      block.refill.catch(() => undefined);
    }
    return id;
  }

  private async refill(name: string, block: Block): Promise<void> {
    try {
      const first = await this.sequences.reserve(name, this.blockSize);
      const last = first + this.blockSize - 1;
      if (block.next > block.last) {
        block.next = first;
        block.last = last;
      } else block.spare = [first, last];
    } finally {
      block.refill = null;
    }
  }
}
