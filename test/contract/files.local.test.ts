import { rmSync } from "node:fs";
import { afterAll } from "vitest";
import { openFileStore } from "../../src/store/open-files.ts";
import { tempDir } from "../support/processes.ts";
import { fileStoreContract } from "./files.contract.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

fileStoreContract("local files", () => {
  const dir = tempDir("files");
  dirs.push(dir);
  return openFileStore({ kind: "local", dir });
});
