/**
 * The one definition of a live session behind an access token, as a SQL query over three
 * parameters: the user (id, email, role) whose session it is, when the session exists, belongs to
 * the user, is neither revoked nor expired, and the user is active with the token's version (a
 * password, role or status change bumps it). The session lookup every route makes runs it as it
 * is; the casting statement asks whether it finds a row, in the same statement as the vote.
 */
export function liveSessionUser(user: string, session: string, tokenVersion: string): string {
  return `SELECT u.id, u.email, u.role FROM app_user u JOIN auth_session s ON s.user_id = u.id
     WHERE u.id = ${user}::uuid AND s.id = ${session}::uuid AND s.revoked_at IS NULL AND s.expires_at > now()
       AND u.status = 'active' AND u.token_version = ${tokenVersion}::int`;
}
