import type { Role } from 'src/auth/entities/user.entity';

/** The authenticated caller, as guards put it on the request. */
export interface AuthUser {
  id: string;
  email: string;
  role: Role;
  sessionId: string;
}
