import { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit log is append-only in the database itself, whatever the application does. */
export class ProtectAuditLog1795378320600 implements MigrationInterface {
  name = 'ProtectAuditLog1795378320600';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'table % is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END;
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER audit_event_append_only
      BEFORE UPDATE OR DELETE ON audit_event
      FOR EACH ROW EXECUTE FUNCTION forbid_change()`);
    await queryRunner.query(`
      CREATE TRIGGER audit_event_no_truncate
      BEFORE TRUNCATE ON audit_event
      FOR EACH STATEMENT EXECUTE FUNCTION forbid_change()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER audit_event_no_truncate ON audit_event');
    await queryRunner.query('DROP TRIGGER audit_event_append_only ON audit_event');
    await queryRunner.query('DROP FUNCTION forbid_change()');
  }
}
