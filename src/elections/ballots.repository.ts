import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm';
import { PreparedStatement } from 'src/database/prepared-statement';
import { Database } from 'src/database/database';
import { liveSessionUser } from 'src/auth/live-session';
import type { CountedContent } from './election-ballots';
import { BallotEntity } from './entities/ballot.entity';
import { CountedBallotEntity } from './entities/counted-ballot.entity';
import { ParticipationEntity } from './entities/participation.entity';

export type CastOutcome = 'stored' | 'signed_out' | 'closed' | 'not_on_roll' | 'choose_member';

export interface SecretCast {
  electionId: string;
  /** The member voted for; null picks the caller's only roll entry (several: 'choose_member'). */
  memberId: string | null;
  voterUserId: string;
  /** The caller's session and token version, checked by the same statement. */
  sessionId: string;
  tokenVersion: number;
  ballotId: string;
  /** The ballot sealed to the election's key: nothing readable reaches SQL or its log. */
  sealed: Buffer;
  receipt: string;
}

export interface SealedRow {
  receipt: string;
  sealed: Buffer;
  weight: number;
}

export interface ParticipantRow {
  memberNumber: string;
  name: string;
}

export const CAST_SECRETLY = new PreparedStatement(
  'cast-secretly',
  `WITH s AS (
     SELECT EXISTS (${liveSessionUser('$3', '$7', '$8')}) AS live
   ), e AS (
     SELECT id FROM election
     WHERE id = $1 AND status = 'open' AND (closes_at IS NULL OR closes_at > now())
       AND (SELECT live FROM s)
     FOR SHARE
   ), r AS (
     SELECT r.member_id, r.weight FROM voter_roll_entry r JOIN e ON e.id = r.election_id
     WHERE r.voter_user_id = $3 AND r.removed_at IS NULL
       AND ($2::uuid IS NULL OR r.member_id = $2::uuid)
   ), p AS (
     INSERT INTO participation (election_id, member_id)
     SELECT $1, member_id FROM r WHERE (SELECT count(*) FROM r) = 1 RETURNING member_id
   ), b AS (
     INSERT INTO ballot (id, election_id, sealed, weight, receipt)
     SELECT $4, $1, $5::bytea, r.weight, $6 FROM p JOIN r ON r.member_id = p.member_id
     RETURNING id
   )
   SELECT (SELECT live FROM s) AS live, EXISTS (SELECT 1 FROM e) AS open,
          (SELECT count(*)::int FROM r) AS entries, EXISTS (SELECT 1 FROM b) AS stored`,
);

/** Participations (who) and ballots (how), kept apart: no query here joins the two. */
@Injectable()
export class BallotsRepository {
  constructor(private readonly db: Database) {}

  /**
   * One atomic statement, one round trip: check the caller's session is live (the access guard left
   * that to this statement), share-lock the election row while it is open and inside
   * its window (a concurrent close holds it exclusively, so this waits and then sees it closed),
   * find the caller's roll entry (the given member's, or the only one), insert the participation
   * (its primary key refuses a second vote with 23505) and the ballot with the roll's weight.
   * Nothing is written unless all of it holds.
   */
  async castSecretly(cast: SecretCast): Promise<CastOutcome> {
    const [row] = await this.db.prepared<
      { live: boolean; open: boolean; entries: number; stored: boolean }[]
    >(CAST_SECRETLY, [
      cast.electionId,
      cast.memberId,
      cast.voterUserId,
      cast.ballotId,
      cast.sealed,
      cast.receipt,
      cast.sessionId,
      cast.tokenVersion,
    ]);
    if (row.stored) {
      return 'stored';
    }
    if (!row.live) {
      return 'signed_out';
    }
    if (!row.open) {
      return 'closed';
    }
    return row.entries > 1 ? 'choose_member' : 'not_on_roll';
  }

  countParticipations(electionId: string): Promise<number> {
    return this.db.manager.getRepository(ParticipationEntity).countBy({ electionId });
  }

  /** Every sealed ballot of the election, in receipt order. */
  async findSealed(electionId: string): Promise<SealedRow[]> {
    const rows = await this.db.manager.getRepository(BallotEntity).find({
      select: { receipt: true, sealed: true, weight: true },
      where: { electionId },
      order: { receipt: 'ASC' },
    });
    return rows.map((r) => ({ receipt: r.receipt, sealed: r.sealed!, weight: r.weight }));
  }

  async findCounted(electionId: string): Promise<CountedContent[]> {
    const rows = await this.db.manager
      .getRepository(CountedBallotEntity)
      .find({ where: { electionId }, order: { position: 'ASC' } });
    return rows.map((r) => ({ content: r.content, ballots: r.ballots, weight: r.weight }));
  }

  async hasCounted(electionId: string): Promise<boolean> {
    return this.db.manager.getRepository(CountedBallotEntity).existsBy({ electionId });
  }

  /** Written by the tally's transaction, in content order, in batches. */
  async insertCounted(electionId: string, groups: readonly CountedContent[]): Promise<void> {
    const repo = this.db.manager.getRepository(CountedBallotEntity);
    for (let start = 0; start < groups.length; start += 1000) {
      await repo.insert(
        groups.slice(start, start + 1000).map((g, i) => ({
          electionId,
          position: start + i + 1,
          content: g.content,
          ballots: g.ballots,
          weight: g.weight,
        })) as QueryDeepPartialEntity<CountedBallotEntity>[],
      );
    }
  }

  async findReceipts(electionId: string): Promise<string[]> {
    const rows = await this.db.manager
      .getRepository(BallotEntity)
      .find({ select: { receipt: true }, where: { electionId }, order: { receipt: 'ASC' } });
    return rows.map((r) => r.receipt);
  }

  async receiptExists(electionId: string, receipt: string): Promise<boolean> {
    return (await this.db.manager.getRepository(BallotEntity).countBy({ electionId, receipt })) > 0;
  }

  async findParticipants(electionId: string): Promise<ParticipantRow[]> {
    const rows = await this.db.manager.query<{ member_number: string; name: string }[]>(
      `SELECT m.member_number, m.name FROM participation p JOIN member m ON m.id = p.member_id
       WHERE p.election_id = $1 ORDER BY m.member_number`,
      [electionId],
    );
    return rows.map((r) => ({ memberNumber: r.member_number, name: r.name }));
  }
}
