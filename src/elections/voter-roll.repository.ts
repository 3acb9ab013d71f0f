import { Injectable } from '@nestjs/common';
import { Database } from 'src/database/database';
import { VoterRollEntryEntity } from './entities/voter-roll-entry.entity';

export interface RollRow {
  memberId: string;
  memberNumber: string;
  name: string;
  weight: number;
  source: 'rule' | 'admin';
  removedAt: Date | null;
  removedReason: string | null;
  voted: boolean;
}

interface RawRollRow {
  member_id: string;
  member_number: string;
  name: string;
  weight: number;
  source: 'rule' | 'admin';
  removed_at: Date | null;
  removed_reason: string | null;
  voted: boolean;
}

const ROLL_SELECT = `
  SELECT r.member_id, m.member_number, m.name, r.weight, r.source, r.removed_at, r.removed_reason,
         (p.member_id IS NOT NULL) AS voted
  FROM voter_roll_entry r
  JOIN member m ON m.id = r.member_id
  LEFT JOIN participation p ON p.election_id = r.election_id AND p.member_id = r.member_id`;

function toRow(r: RawRollRow): RollRow {
  return {
    memberId: r.member_id,
    memberNumber: r.member_number,
    name: r.name,
    weight: r.weight,
    source: r.source,
    removedAt: r.removed_at,
    removedReason: r.removed_reason,
    voted: r.voted,
  };
}

@Injectable()
export class VoterRollRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(VoterRollEntryEntity);
  }

  /**
   * Freezes the roll from the eligibility rules: active members with dues paid up to `rollDate`,
   * optionally only those checked in at the meeting. Individuals vote through their own login, a
   * corporate member through its delegate.
   */
  async freeze(
    electionId: string,
    rollDate: string,
    registeredAtMeeting: string | null,
  ): Promise<number> {
    const rows = await this.db.manager.query<unknown[]>(
      `INSERT INTO voter_roll_entry (election_id, member_id, voter_user_id, weight, source)
       SELECT $1, m.id, CASE WHEN m.kind = 'corporate' THEN m.delegate_user_id ELSE m.user_id END, m.vote_weight, 'rule'
       FROM member m
       WHERE m.status = 'active' AND m.dues_paid_until >= $2
         AND ($3::uuid IS NULL OR EXISTS (
           SELECT 1 FROM meeting_attendance a WHERE a.meeting_id = $3 AND a.member_id = m.id))
       RETURNING member_id`,
      [electionId, rollDate, registeredAtMeeting],
    );
    return rows.length;
  }

  findEntry(electionId: string, memberId: string): Promise<VoterRollEntryEntity | null> {
    return this.repo.findOneBy({ electionId, memberId });
  }

  /** The entries a login may cast for, as frozen on the roll, leaving out removed ones. */
  async findActiveForVoter(
    electionId: string,
    userId: string,
  ): Promise<Pick<VoterRollEntryEntity, 'memberId' | 'weight'>[]> {
    const rows = await this.db.manager.query<{ member_id: string; weight: number }[]>(
      `SELECT member_id, weight FROM voter_roll_entry
       WHERE election_id = $1 AND voter_user_id = $2 AND removed_at IS NULL`,
      [electionId, userId],
    );
    return rows.map((r) => ({ memberId: r.member_id, weight: r.weight }));
  }

  /** Every entry the login appears on, removed ones included (so a member can see why). */
  async findRowsForVoter(electionId: string, userId: string): Promise<RollRow[]> {
    const rows = await this.db.manager.query<RawRollRow[]>(
      `${ROLL_SELECT} WHERE r.election_id = $1 AND r.voter_user_id = $2 ORDER BY m.member_number`,
      [electionId, userId],
    );
    return rows.map(toRow);
  }

  async findRows(electionId: string): Promise<RollRow[]> {
    const rows = await this.db.manager.query<RawRollRow[]>(
      `${ROLL_SELECT} WHERE r.election_id = $1 ORDER BY m.member_number`,
      [electionId],
    );
    return rows.map(toRow);
  }

  async countActive(electionId: string): Promise<{ size: number; weight: number }> {
    const [row] = await this.db.manager.query<{ size: number; weight: number }[]>(
      `SELECT count(*)::int AS size, coalesce(sum(weight), 0)::int AS weight
       FROM voter_roll_entry WHERE election_id = $1 AND removed_at IS NULL`,
      [electionId],
    );
    return row;
  }

  async insert(
    entry: Pick<
      VoterRollEntryEntity,
      'electionId' | 'memberId' | 'voterUserId' | 'weight' | 'source'
    >,
  ): Promise<void> {
    await this.repo.insert(entry);
  }

  async markRemoved(electionId: string, memberId: string, reason: string): Promise<void> {
    await this.repo.update(
      { electionId, memberId },
      { removedAt: new Date(), removedReason: reason },
    );
  }

  async restore(
    electionId: string,
    memberId: string,
    voterUserId: string | null,
    weight: number,
  ): Promise<void> {
    await this.repo.update(
      { electionId, memberId },
      { removedAt: null, removedReason: null, voterUserId, weight, source: 'admin' },
    );
  }
}
