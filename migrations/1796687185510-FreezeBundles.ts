import { MigrationInterface, QueryRunner } from 'typeorm';

/** A publication stores its audit bundle, written at certification and fixed like the manifest. */
export class FreezeBundles1796687185510 implements MigrationInterface {
  name = 'FreezeBundles1796687185510';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "result_publication" ADD "bundle" bytea');
    await queryRunner.query(fixedFunction('OR NEW.bundle IS DISTINCT FROM OLD.bundle'));
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(fixedFunction(''));
    await queryRunner.query('ALTER TABLE "result_publication" DROP COLUMN "bundle"');
  }
}

function fixedFunction(bundle: string): string {
  return `
    CREATE OR REPLACE FUNCTION result_publication_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR NEW.manifest IS DISTINCT FROM OLD.manifest
         OR NEW.signature IS DISTINCT FROM OLD.signature
         OR NEW.public_key IS DISTINCT FROM OLD.public_key
         ${bundle}
         OR NEW.run_id IS DISTINCT FROM OLD.run_id
         OR NEW.contest_kind IS DISTINCT FROM OLD.contest_kind
         OR NEW.contest_id IS DISTINCT FROM OLD.contest_id
         OR NEW.certified_by IS DISTINCT FROM OLD.certified_by
         OR NEW.certified_at IS DISTINCT FROM OLD.certified_at
         OR NEW.publish_at IS DISTINCT FROM OLD.publish_at
         OR OLD.status = 'withdrawn' THEN
        RAISE EXCEPTION 'a certified result is fixed: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END;
    $$`;
}
