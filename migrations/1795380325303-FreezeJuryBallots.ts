import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A jury ballot can be written only while its round is open: once the round closes, its ballots
 * are frozen in the database itself, whatever the application does.
 */
export class FreezeJuryBallots1795380325303 implements MigrationInterface {
  name = 'FreezeJuryBallots1795380325303';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION award_jury_ballot_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        round_status text;
      BEGIN
        SELECT status INTO round_status FROM award_round
        WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.round_id ELSE NEW.round_id END;
        IF round_status IS DISTINCT FROM 'open' THEN
          RAISE EXCEPTION 'jury ballots of a round that is not open are frozen'
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER award_jury_ballot_frozen
      BEFORE INSERT OR UPDATE OR DELETE ON award_jury_ballot
      FOR EACH ROW EXECUTE FUNCTION award_jury_ballot_frozen()`);
    await queryRunner.query(`
      CREATE TRIGGER award_jury_ballot_no_truncate
      BEFORE TRUNCATE ON award_jury_ballot
      FOR EACH STATEMENT EXECUTE FUNCTION forbid_change()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER award_jury_ballot_no_truncate ON award_jury_ballot`);
    await queryRunner.query(`DROP TRIGGER award_jury_ballot_frozen ON award_jury_ballot`);
    await queryRunner.query(`DROP FUNCTION award_jury_ballot_frozen()`);
  }
}
