import type { Actor } from "~/audit/audit.server";

export type StaffActor = Extract<Actor, { type: "staff" }>;

/** The staff user id behind an actor, for created_by columns. */
export const staffIdOf = (actor: Actor) => (actor.type === "staff" ? actor.id : null);

export const systemActor = (label: string): Actor => ({ type: "system", label });
