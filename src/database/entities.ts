import { AuditEventEntity } from 'src/audit/entities/audit-event.entity';
import { SessionEntity } from 'src/auth/entities/session.entity';
import { UserEntity } from 'src/auth/entities/user.entity';
import { OutboxEntity } from 'src/jobs/entities/outbox.entity';
import { MemberEntity } from 'src/members/entities/member.entity';

/** Every entity of the application; the migrations are generated from this list. */
export const ENTITIES = [AuditEventEntity, UserEntity, SessionEntity, MemberEntity, OutboxEntity];
