import { openConnection } from "../connection.server";
import { migrate } from "../migrate";
import { seed } from "../seed";

const connection = openConnection();
await migrate(connection);
await connection.withLock("settle:seed", (db) => seed(db));
console.log(`Demo data in place (${connection.kind}).`);
await connection.close();
