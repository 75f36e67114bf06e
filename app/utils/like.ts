/** A case-insensitive "contains" pattern for ILIKE, with the user's % and _ taken literally. */
export const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
