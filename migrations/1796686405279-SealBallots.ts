import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ballots are sealed to their election's key from now on. Plain ballots of tallied elections move
 * to `counted_ballot` (one row per distinct content, as the tally stores them); the upgrade is
 * refused while an election that has ballots is not yet tallied, because its ballots could not be
 * sealed after the fact. The dropped plain column stays in the table's dead space until
 * `VACUUM FULL ballot` rewrites it. Participations lose their time.
 */
export class SealBallots1796686405279 implements MigrationInterface {
  name = 'SealBallots1796686405279';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const [{ pending }] = (await queryRunner.query(
      `SELECT count(DISTINCT e.id)::int AS pending FROM ballot b JOIN election e ON e.id = b.election_id
       WHERE e.status <> 'tallied'`,
    )) as { pending: number }[];
    if (pending > 0) {
      throw new Error(
        `${pending} election(s) have ballots but are not tallied: close and tally them with the previous version before upgrading`,
      );
    }
    await queryRunner.query(
      'CREATE TABLE "counted_ballot" ("election_id" uuid NOT NULL, "position" integer NOT NULL, "content" jsonb NOT NULL, "ballots" integer NOT NULL, "weight" integer NOT NULL, CONSTRAINT "counted_ballot_weight_check" CHECK ("weight" >= "ballots"), CONSTRAINT "counted_ballot_ballots_check" CHECK ("ballots" >= 1), CONSTRAINT "counted_ballot_pk" PRIMARY KEY ("election_id", "position"))',
    );
    await queryRunner.query(
      `INSERT INTO counted_ballot (election_id, position, content, ballots, weight)
       SELECT election_id, row_number() OVER (PARTITION BY election_id ORDER BY content::text),
              content, count(*), sum(weight)
       FROM ballot GROUP BY election_id, content`,
    );
    await queryRunner.query('ALTER TABLE "ballot" DROP COLUMN "content"');
    await queryRunner.query('ALTER TABLE "ballot" ADD "sealed" bytea');
    await queryRunner.query(
      'CREATE TABLE "election_key_share" ("election_id" uuid NOT NULL, "holder_index" integer NOT NULL, "user_id" uuid NOT NULL, "share_digest" character(64) NOT NULL, "wrapped_share" bytea, "collected_at" TIMESTAMP WITH TIME ZONE, "submitted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "election_key_share_pk" PRIMARY KEY ("election_id", "holder_index"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "election_key_share_holder_uq" ON "election_key_share"  ("election_id", "user_id") ',
    );
    await queryRunner.query('ALTER TABLE "participation" DROP COLUMN "cast_at"');
    await queryRunner.query(
      'ALTER TABLE "election" ADD "custody" text NOT NULL DEFAULT \'custodial\'',
    );
    await queryRunner.query('ALTER TABLE "election" ADD "ballot_public_key" bytea');
    await queryRunner.query('ALTER TABLE "election" ADD "wrapped_ballot_key" bytea');
    await queryRunner.query('ALTER TABLE "election" ADD "commission_threshold" integer');
    await queryRunner.query(
      'ALTER TABLE "election" ADD "key_destroyed_at" TIMESTAMP WITH TIME ZONE',
    );
    await queryRunner.query('ALTER TABLE "tally_run" ADD "frozen_digest" character(64)');
    // Runs so far were frozen on their plain ballots; the table is otherwise append-only.
    await queryRunner.query('ALTER TABLE "tally_run" DISABLE TRIGGER "tally_run_append_only"');
    await queryRunner.query('UPDATE "tally_run" SET "frozen_digest" = "input_digest"');
    await queryRunner.query('ALTER TABLE "tally_run" ENABLE TRIGGER "tally_run_append_only"');
    await queryRunner.query('ALTER TABLE "tally_run" ALTER COLUMN "frozen_digest" SET NOT NULL');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "tally_run_contest_frozen_uq" ON "tally_run"  ("contest_kind", "contest_id", "frozen_digest") ',
    );
    await queryRunner.query(
      'ALTER TABLE "election" ADD CONSTRAINT "election_commission_check" CHECK ("custody" <> \'commission\' OR ("commission_threshold" >= 2 AND "wrapped_ballot_key" IS NULL))',
    );
    await queryRunner.query(
      'ALTER TABLE "election" ADD CONSTRAINT "election_custody_check" CHECK ("custody" IN (\'custodial\', \'commission\'))',
    );
    await queryRunner.query(
      'ALTER TABLE "counted_ballot" ADD CONSTRAINT "FK_205de00b263e24ab265aac9817d" FOREIGN KEY ("election_id") REFERENCES "election"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "election_key_share" ADD CONSTRAINT "FK_357781deca61a743df881abd1d2" FOREIGN KEY ("election_id") REFERENCES "election"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "election_key_share" ADD CONSTRAINT "FK_681e6bc5cc90e902fc172d32594" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(`
      CREATE TRIGGER counted_ballot_append_only
      BEFORE UPDATE OR DELETE ON counted_ballot
      FOR EACH ROW EXECUTE FUNCTION forbid_change()`);
    await queryRunner.query(`
      CREATE TRIGGER counted_ballot_no_truncate
      BEFORE TRUNCATE ON counted_ballot
      FOR EACH STATEMENT EXECUTE FUNCTION forbid_change()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const [{ sealed }] = (await queryRunner.query(
      'SELECT count(*)::int AS sealed FROM ballot WHERE sealed IS NOT NULL',
    )) as { sealed: number }[];
    if (sealed > 0) {
      throw new Error('sealed ballots cannot be turned back into plain ones: not reverting');
    }
    await queryRunner.query('DROP TRIGGER counted_ballot_no_truncate ON counted_ballot');
    await queryRunner.query('DROP TRIGGER counted_ballot_append_only ON counted_ballot');
    await queryRunner.query(
      'ALTER TABLE "election_key_share" DROP CONSTRAINT "FK_681e6bc5cc90e902fc172d32594"',
    );
    await queryRunner.query(
      'ALTER TABLE "election_key_share" DROP CONSTRAINT "FK_357781deca61a743df881abd1d2"',
    );
    await queryRunner.query(
      'ALTER TABLE "counted_ballot" DROP CONSTRAINT "FK_205de00b263e24ab265aac9817d"',
    );
    await queryRunner.query('ALTER TABLE "election" DROP CONSTRAINT "election_custody_check"');
    await queryRunner.query('ALTER TABLE "election" DROP CONSTRAINT "election_commission_check"');
    await queryRunner.query('DROP INDEX "public"."tally_run_contest_frozen_uq"');
    await queryRunner.query('ALTER TABLE "tally_run" DROP COLUMN "frozen_digest"');
    await queryRunner.query('ALTER TABLE "election" DROP COLUMN "key_destroyed_at"');
    await queryRunner.query('ALTER TABLE "election" DROP COLUMN "commission_threshold"');
    await queryRunner.query('ALTER TABLE "election" DROP COLUMN "wrapped_ballot_key"');
    await queryRunner.query('ALTER TABLE "election" DROP COLUMN "ballot_public_key"');
    await queryRunner.query('ALTER TABLE "election" DROP COLUMN "custody"');
    await queryRunner.query(
      'ALTER TABLE "participation" ADD "cast_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()',
    );
    await queryRunner.query('DROP INDEX "public"."election_key_share_holder_uq"');
    await queryRunner.query('DROP TABLE "election_key_share"');
    await queryRunner.query('ALTER TABLE "ballot" DROP COLUMN "sealed"');
    await queryRunner.query('ALTER TABLE "ballot" ADD "content" jsonb NOT NULL');
    await queryRunner.query('DROP TABLE "counted_ballot"');
  }
}
