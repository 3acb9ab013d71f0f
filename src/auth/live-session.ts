/**
 * The one definition of a live session behind an access token, as SQL over three parameters: the
 * session exists, belongs to the user, is neither revoked nor expired, and the user is active with
 * the token's version (a password, role or status change bumps it). The session lookup every
 * route makes and the casting statement, which checks the session in the same statement as the
 * vote, both use it.
 */
export function liveSessionCondition(user: string, session: string, tokenVersion: string): string {
  return `EXISTS (SELECT 1 FROM auth_session s JOIN app_user u ON u.id = s.user_id
     WHERE s.id = ${session}::uuid AND u.id = ${user}::uuid AND s.revoked_at IS NULL AND s.expires_at > now()
       AND u.status = 'active' AND u.token_version = ${tokenVersion}::int)`;
}
