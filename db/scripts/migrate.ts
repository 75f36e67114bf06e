import { openConnection } from "../connection.server";
import { migrate } from "../migrate";

const connection = openConnection();
await migrate(connection);
console.log(`Migrations applied (${connection.kind}).`);
await connection.close();
