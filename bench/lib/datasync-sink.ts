import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A local app server for data sync in benchmarks: answers every POST 200 at once and counts them. */
export interface DataSyncSink {
  url: string;
  received(): number;
  close(): Promise<void>;
}

export async function startDataSyncSink(): Promise<DataSyncSink> {
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      count++;
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/sync`,
    received: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
