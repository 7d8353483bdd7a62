import { MongoClient } from "mongodb";
import { afterAll } from "vitest";
import { openFileStore } from "../../src/store/open-files.ts";
import { describeWith, serviceUrl, uniqueName } from "../support/services.ts";
import { fileStoreContract } from "./files.contract.ts";

describeWith(["mongo"], "GridFsFileStore", () => {
  const url = serviceUrl("mongo");
  const database = uniqueName("nimbus_files");
  afterAll(async () => {
    const client = new MongoClient(url);
    try {
      await client.db(database).dropDatabase();
    } finally {
      await client.close();
    }
  });
  fileStoreContract("gridfs", () => openFileStore({ kind: "gridfs", url, database }));
});
