/** Who is calling, once a token was checked. */
export interface Identity {
  userId: string;
  /** When the credential stops being valid (ms since epoch), if it expires. */
  expiresAt?: number;
}

/**
 * An auth plugin. `authenticate` gets the bearer token (undefined when the
 * client sent none) and returns the identity, or throws UnauthorizedError.
 */
export interface AuthProvider {
  readonly id: string;
  /** False for single-user local use: hosts then skip the token handshake. */
  readonly requiresToken: boolean;
  authenticate(token: string | undefined): Promise<Identity>;
  /**
   * Optional: the user id of an e-mail address, or null when no user has it. Lets an owner share a
   * notebook by e-mail (`PUT /api/notebooks/{id}/shares/{email}`); without it, shares name user ids.
   */
  userIdOfEmail?(email: string): Promise<string | null>;
  /**
   * Optional: the name others see beside this user's cursor ("Ann Lee", an e-mail address), or null when the
   * plugin knows none (the page then picks one). Served to the user themself by `GET /api/me`.
   */
  displayNameOf?(userId: string): Promise<string | null>;
}
