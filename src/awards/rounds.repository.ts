import { Injectable } from '@nestjs/common';
import { Database } from 'src/database/database';
import { AwardRoundEntity } from './entities/award-round.entity';
import { JuryBallotContent, JuryBallotEntity } from './entities/jury-ballot.entity';

export type RoundFields = Pick<
  AwardRoundEntity,
  'categoryId' | 'number' | 'kind' | 'seats' | 'tieBreakSeed' | 'opensAt' | 'closesAt'
>;
export type RoundStateFields = Partial<
  Pick<
    AwardRoundEntity,
    'status' | 'nomineeIds' | 'openedAt' | 'closedAt' | 'inputDigest' | 'outcome'
  >
>;

/** Jury rounds and the jurors' ballots. */
@Injectable()
export class RoundsRepository {
  constructor(private readonly db: Database) {}

  private get rounds() {
    return this.db.manager.getRepository(AwardRoundEntity);
  }

  private get ballots() {
    return this.db.manager.getRepository(JuryBallotEntity);
  }

  findRound(id: string): Promise<AwardRoundEntity | null> {
    return this.rounds.findOneBy({ id });
  }

  /**
   * Reads the round with a share lock: ballot saves share it, the close takes it exclusively, so
   * a save either commits before the close or sees the round closed.
   */
  findRoundForBallot(id: string): Promise<AwardRoundEntity | null> {
    return this.rounds
      .createQueryBuilder('r')
      .where('r.id = :id', { id })
      .setLock('pessimistic_read')
      .getOne();
  }

  /** Reads the round and waits for every ballot save in progress. */
  findRoundForTransition(id: string): Promise<AwardRoundEntity | null> {
    return this.rounds
      .createQueryBuilder('r')
      .where('r.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
  }

  findRoundsOfCategory(categoryId: string): Promise<AwardRoundEntity[]> {
    return this.rounds.find({ where: { categoryId }, order: { number: 'ASC' } });
  }

  findOpenRoundsOfCategories(categoryIds: string[]): Promise<AwardRoundEntity[]> {
    if (categoryIds.length === 0) {
      return Promise.resolve([]);
    }
    return this.rounds
      .createQueryBuilder('r')
      .where(`r.category_id IN (:...categoryIds) AND r.status = 'open'`, { categoryIds })
      .orderBy('r.created_at', 'ASC')
      .getMany();
  }

  /** Rounds of an edition that are not decided yet. */
  async countUndecidedFinalsInEdition(editionId: string): Promise<number> {
    const [row] = await this.db.manager.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM award_category c
       WHERE c.edition_id = $1 AND NOT EXISTS (
         SELECT 1 FROM award_round r
         WHERE r.category_id = c.id AND r.kind = 'final' AND r.status = 'decided')`,
      [editionId],
    );
    return row.n;
  }

  async findDueToOpen(now: Date): Promise<string[]> {
    const rows = await this.rounds
      .createQueryBuilder('r')
      .select('r.id', 'id')
      .where(`r.status = 'draft' AND r.opens_at <= :now`, { now })
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  async findDueToClose(now: Date): Promise<string[]> {
    const rows = await this.rounds
      .createQueryBuilder('r')
      .select('r.id', 'id')
      .where(`r.status = 'open' AND r.closes_at <= :now`, { now })
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  async insertRound(fields: RoundFields): Promise<AwardRoundEntity> {
    const result = await this.rounds.insert(fields);
    return (await this.findRound((result.identifiers[0] as { id: string }).id))!;
  }

  async updateRound(id: string, fields: RoundStateFields): Promise<void> {
    await this.rounds.update({ id }, fields);
  }

  findBallot(id: string): Promise<JuryBallotEntity | null> {
    return this.ballots.findOneBy({ id });
  }

  findBallotOf(roundId: string, userId: string): Promise<JuryBallotEntity | null> {
    return this.ballots.findOneBy({ roundId, userId });
  }

  findBallotsOfRound(roundId: string): Promise<JuryBallotEntity[]> {
    return this.ballots.find({ where: { roundId }, order: { userId: 'ASC' } });
  }

  findSubmittedBallots(roundId: string): Promise<JuryBallotEntity[]> {
    return this.ballots.find({
      where: { roundId, status: 'submitted' },
      order: { userId: 'ASC' },
    });
  }

  async updateBallotContent(id: string, content: JuryBallotContent): Promise<void> {
    await this.ballots.update({ id }, { content });
  }

  /** One row per juror and round: a repeated or concurrent save updates the same row. */
  async upsertBallot(
    fields: Pick<JuryBallotEntity, 'roundId' | 'userId' | 'content' | 'status' | 'submittedAt'>,
  ): Promise<JuryBallotEntity> {
    await this.db.manager.query(
      `INSERT INTO award_jury_ballot (round_id, user_id, content, status, submitted_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (round_id, user_id) DO UPDATE
       SET content = EXCLUDED.content, status = EXCLUDED.status,
           submitted_at = EXCLUDED.submitted_at,
           revision = award_jury_ballot.revision + 1, updated_at = now()`,
      [
        fields.roundId,
        fields.userId,
        JSON.stringify(fields.content),
        fields.status,
        fields.submittedAt,
      ],
    );
    return (await this.findBallotOf(fields.roundId, fields.userId))!;
  }
}
