export * from "./staff";
export * from "./customers";
export * from "./auth";
export * from "./audit";
export * from "./settings";
export * from "./email";
export * from "./ledger";
export * from "./integrations";
