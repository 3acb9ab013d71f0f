import { MigrationInterface, QueryRunner } from 'typeorm';

const APPEND_ONLY = ['ballot', 'participation', 'tally_run'];

/**
 * Ballots, participations and tally runs are append-only in the database itself: a vote cannot be
 * changed or withdrawn, and a stored result cannot be edited, whatever the application does.
 */
export class ProtectBallots1795379904713 implements MigrationInterface {
  name = 'ProtectBallots1795379904713';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of APPEND_ONLY) {
      await queryRunner.query(`
        CREATE TRIGGER ${table}_append_only
        BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION forbid_change()`);
      await queryRunner.query(`
        CREATE TRIGGER ${table}_no_truncate
        BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_change()`);
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [...APPEND_ONLY].reverse()) {
      await queryRunner.query(`DROP TRIGGER ${table}_no_truncate ON ${table}`);
      await queryRunner.query(`DROP TRIGGER ${table}_append_only ON ${table}`);
    }
  }
}
