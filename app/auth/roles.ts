import type { StaffRole, StaffUser } from "~db/schema";

// admin > clerk > viewer: each role can do everything the ones below it can.
const rank: Record<StaffRole, number> = { viewer: 0, clerk: 1, admin: 2 };

export function hasRole(user: Pick<StaffUser, "role">, atLeast: StaffRole) {
  return rank[user.role] >= rank[atLeast];
}
