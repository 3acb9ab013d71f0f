import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit events get a secret salt behind commitments to their fields, and the hash of their
 * subject's previous event. Earlier events keep their plain hashes (no salt).
 */
export class SealAuditFields1796687185509 implements MigrationInterface {
  name = 'SealAuditFields1796687185509';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "audit_event" ADD "salt" character(64)');
    await queryRunner.query('ALTER TABLE "audit_event" ADD "subject_prev" character(64)');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "audit_event" DROP COLUMN "subject_prev"');
    await queryRunner.query('ALTER TABLE "audit_event" DROP COLUMN "salt"');
  }
}
