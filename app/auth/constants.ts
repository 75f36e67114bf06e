/** Lifetimes of one-time links, shown to people as well as enforced on the server. */
export const SIGN_IN_LINK_MINUTES = 15;
export const INVITATION_DAYS = 7;
