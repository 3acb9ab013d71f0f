import { AuditEventEntity } from 'src/audit/entities/audit-event.entity';
import { AwardCategoryEntity } from 'src/awards/entities/award-category.entity';
import { AwardEditionEntity } from 'src/awards/entities/award-edition.entity';
import { AwardNominationEntity } from 'src/awards/entities/award-nomination.entity';
import { AwardNomineeEntity } from 'src/awards/entities/award-nominee.entity';
import { AwardProgramEntity } from 'src/awards/entities/award-program.entity';
import { AwardRoundEntity } from 'src/awards/entities/award-round.entity';
import { JuryAssignmentEntity } from 'src/awards/entities/jury-assignment.entity';
import { JuryBallotEntity } from 'src/awards/entities/jury-ballot.entity';
import { JuryConflictEntity } from 'src/awards/entities/jury-conflict.entity';
import { SessionEntity } from 'src/auth/entities/session.entity';
import { UserEntity } from 'src/auth/entities/user.entity';
import { BallotEntity } from 'src/elections/entities/ballot.entity';
import { CandidateEntity } from 'src/elections/entities/candidate.entity';
import { CountedBallotEntity } from 'src/elections/entities/counted-ballot.entity';
import { ElectionKeyShareEntity } from 'src/elections/entities/election-key-share.entity';
import { ElectionEntity } from 'src/elections/entities/election.entity';
import { MeetingAttendanceEntity } from 'src/elections/entities/meeting-attendance.entity';
import { MeetingEntity } from 'src/elections/entities/meeting.entity';
import { ParticipationEntity } from 'src/elections/entities/participation.entity';
import { VoterRollEntryEntity } from 'src/elections/entities/voter-roll-entry.entity';
import { OutboxEntity } from 'src/jobs/entities/outbox.entity';
import { MemberEntity } from 'src/members/entities/member.entity';
import { ResultPublicationEntity } from 'src/results/entities/result-publication.entity';
import { TallyRunEntity } from 'src/tallying/entities/tally-run.entity';

/** Every entity of the application; the migrations are generated from this list. */
export const ENTITIES = [
  AuditEventEntity,
  UserEntity,
  SessionEntity,
  MemberEntity,
  OutboxEntity,
  MeetingEntity,
  MeetingAttendanceEntity,
  ElectionEntity,
  CandidateEntity,
  VoterRollEntryEntity,
  ParticipationEntity,
  BallotEntity,
  CountedBallotEntity,
  ElectionKeyShareEntity,
  TallyRunEntity,
  AwardProgramEntity,
  AwardEditionEntity,
  AwardCategoryEntity,
  AwardNomineeEntity,
  AwardNominationEntity,
  JuryAssignmentEntity,
  JuryConflictEntity,
  AwardRoundEntity,
  JuryBallotEntity,
  ResultPublicationEntity,
];
