import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A certification is fixed once made: the manifest, its signature and what it certifies cannot be
 * changed or deleted; only the publication state (published, withdrawn) moves on.
 */
export class CreatePublications1795382211897 implements MigrationInterface {
  name = 'CreatePublications1795382211897';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"result_publication\" (\"id\" uuid NOT NULL DEFAULT gen_random_uuid(), \"contest_kind\" text NOT NULL, \"contest_id\" uuid NOT NULL, \"run_id\" uuid NOT NULL, \"status\" text NOT NULL DEFAULT 'certified', \"manifest\" jsonb NOT NULL, \"signature\" text NOT NULL, \"public_key\" text NOT NULL, \"certified_by\" uuid NOT NULL, \"certified_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"publish_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"published_at\" TIMESTAMP WITH TIME ZONE, \"withdrawn_at\" TIMESTAMP WITH TIME ZONE, \"withdrawn_by\" uuid, \"withdrawal_reason\" text, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT \"result_publication_withdrawal_check\" CHECK (\"status\" <> 'withdrawn' OR (\"withdrawal_reason\" IS NOT NULL AND \"withdrawn_at\" IS NOT NULL)), CONSTRAINT \"result_publication_status_check\" CHECK (\"status\" IN ('certified', 'published', 'withdrawn')), CONSTRAINT \"PK_e5aa19740aeee6084f12cae4c6c\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"result_publication_due_idx\" ON \"result_publication\"  (\"status\", \"publish_at\") ");
    await queryRunner.query("CREATE UNIQUE INDEX \"result_publication_live_uq\" ON \"result_publication\"  (\"contest_kind\", \"contest_id\") WHERE \"status\" <> 'withdrawn'");
    await queryRunner.query("ALTER TABLE \"result_publication\" ADD CONSTRAINT \"result_publication_run_fk\" FOREIGN KEY (\"run_id\") REFERENCES \"tally_run\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"result_publication\" ADD CONSTRAINT \"result_publication_certified_by_fk\" FOREIGN KEY (\"certified_by\") REFERENCES \"app_user\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query(`
      CREATE FUNCTION result_publication_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' OR NEW.manifest IS DISTINCT FROM OLD.manifest
           OR NEW.signature IS DISTINCT FROM OLD.signature
           OR NEW.public_key IS DISTINCT FROM OLD.public_key
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
      $$`);
    await queryRunner.query(`
      CREATE TRIGGER result_publication_fixed
      BEFORE UPDATE OR DELETE ON result_publication
      FOR EACH ROW EXECUTE FUNCTION result_publication_fixed()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER result_publication_fixed ON result_publication');
    await queryRunner.query('DROP FUNCTION result_publication_fixed()');
    await queryRunner.query("ALTER TABLE \"result_publication\" DROP CONSTRAINT \"result_publication_certified_by_fk\"");
    await queryRunner.query("ALTER TABLE \"result_publication\" DROP CONSTRAINT \"result_publication_run_fk\"");
    await queryRunner.query("DROP INDEX \"public\".\"result_publication_live_uq\"");
    await queryRunner.query("DROP INDEX \"public\".\"result_publication_due_idx\"");
    await queryRunner.query("DROP TABLE \"result_publication\"");
  }
}
