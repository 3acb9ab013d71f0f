import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateElections1795379904613 implements MigrationInterface {
  name = 'CreateElections1795379904613';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "meeting" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "title" text NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "place" text, "online" boolean NOT NULL DEFAULT false, "quorum_kind" text NOT NULL DEFAULT \'more_than_half\', "quorum_fraction" text, "quorum_count" integer, "registration_open" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "meeting_quorum_count_check" CHECK ("quorum_kind" <> \'count\' OR "quorum_count" >= 1), CONSTRAINT "meeting_quorum_fraction_check" CHECK ("quorum_kind" <> \'fraction\' OR "quorum_fraction" IS NOT NULL), CONSTRAINT "meeting_quorum_kind_check" CHECK ("quorum_kind" IN (\'none\', \'more_than_half\', \'fraction\', \'count\')), CONSTRAINT "PK_dccaf9e4c0e39067d82ccc7bb83" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "election" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "meeting_id" uuid, "office" text NOT NULL, "seats" integer NOT NULL DEFAULT \'1\', "method" text NOT NULL, "method_config" jsonb NOT NULL DEFAULT \'{}\', "threshold_rule" jsonb NOT NULL, "blank_allowed" boolean NOT NULL DEFAULT true, "registered_only" boolean NOT NULL DEFAULT false, "roll_date" date, "opens_at" TIMESTAMP WITH TIME ZONE, "closes_at" TIMESTAMP WITH TIME ZONE, "tie_break_seed" text NOT NULL, "status" text NOT NULL DEFAULT \'draft\', "opened_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, "merkle_root" character(64), "close_snapshot" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "election_registration_check" CHECK (NOT "registered_only" OR "meeting_id" IS NOT NULL), CONSTRAINT "election_schedule_check" CHECK ("opens_at" IS NULL OR "closes_at" IS NULL OR "opens_at" < "closes_at"), CONSTRAINT "election_seats_check" CHECK ("seats" >= 1 AND "seats" <= 100), CONSTRAINT "election_status_check" CHECK ("status" IN (\'draft\', \'open\', \'closed\', \'tallied\')), CONSTRAINT "election_method_check" CHECK ("method" IN (\'yes_no\', \'plurality\', \'approval\', \'block\', \'irv\', \'stv\', \'schulze\')), CONSTRAINT "PK_17467b9ade12257d01912737bdb" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "election_due_idx" ON "election"  ("status", "opens_at", "closes_at") ',
    );
    await queryRunner.query('CREATE INDEX "election_meeting_idx" ON "election"  ("meeting_id") ');
    await queryRunner.query(
      'CREATE TABLE "ballot" ("id" uuid NOT NULL, "election_id" uuid NOT NULL, "content" jsonb NOT NULL, "weight" integer NOT NULL DEFAULT \'1\', "receipt" character(64) NOT NULL, CONSTRAINT "UQ_01bee37450ede5e555b6e2b7b01" UNIQUE ("receipt"), CONSTRAINT "ballot_weight_check" CHECK ("weight" >= 1), CONSTRAINT "PK_20adac0e902c60e62fcb6f4cf9c" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "ballot_election_idx" ON "ballot"  ("election_id") ');
    await queryRunner.query(
      'CREATE TABLE "candidate" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "election_id" uuid NOT NULL, "member_id" uuid NOT NULL, "name" text NOT NULL, "statement" text, "status" text NOT NULL DEFAULT \'standing\', "nominated_by_member_id" uuid, "consented_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "candidate_status_check" CHECK ("status" IN (\'nominated\', \'standing\', \'declined\', \'withdrawn\')), CONSTRAINT "PK_b0ddec158a9a60fbc785281581b" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "candidate_election_member_uq" ON "candidate"  ("election_id", "member_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "meeting_attendance" ("meeting_id" uuid NOT NULL, "member_id" uuid NOT NULL, "checked_in_by" text NOT NULL, "checked_in_by_user_id" uuid NOT NULL, "checked_in_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "meeting_attendance_kind_check" CHECK ("checked_in_by" IN (\'self\', \'admin\')), CONSTRAINT "PK_5c5565ab5bbb9c8abc53cf17a9f" PRIMARY KEY ("meeting_id", "member_id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "meeting_attendance_member_idx" ON "meeting_attendance"  ("member_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "participation" ("election_id" uuid NOT NULL, "member_id" uuid NOT NULL, "cast_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "participation_election_member_pk" PRIMARY KEY ("election_id", "member_id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "voter_roll_entry" ("election_id" uuid NOT NULL, "member_id" uuid NOT NULL, "voter_user_id" uuid, "weight" integer NOT NULL DEFAULT \'1\', "source" text NOT NULL DEFAULT \'rule\', "removed_at" TIMESTAMP WITH TIME ZONE, "removed_reason" text, CONSTRAINT "PK_ac6612c54be285527e52e97bab2" PRIMARY KEY ("election_id", "member_id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "voter_roll_entry_voter_idx" ON "voter_roll_entry"  ("election_id", "voter_user_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "tally_run" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "contest_kind" text NOT NULL, "contest_id" uuid NOT NULL, "method" text NOT NULL, "config" jsonb NOT NULL, "engine_version" text NOT NULL, "input_digest" character(64) NOT NULL, "seed" text NOT NULL, "merkle_root" character(64), "ballot_count" integer NOT NULL, "result" jsonb NOT NULL, "outcome" jsonb NOT NULL, "output_digest" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_824f56aa7792c5bc7dd9c10ec11" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "tally_run_contest_input_uq" ON "tally_run"  ("contest_kind", "contest_id", "input_digest") ',
    );
    await queryRunner.query(
      'ALTER TABLE "election" ADD CONSTRAINT "FK_4e4c01102352c5f8bdeedbf09ef" FOREIGN KEY ("meeting_id") REFERENCES "meeting"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "ballot" ADD CONSTRAINT "FK_8affa12bc7fb7eda1e61aa5132a" FOREIGN KEY ("election_id") REFERENCES "election"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "candidate" ADD CONSTRAINT "FK_83ce5d7814d5a5b4c0d116fbe48" FOREIGN KEY ("election_id") REFERENCES "election"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "candidate" ADD CONSTRAINT "FK_294f34534ad729a0d25f71e9c29" FOREIGN KEY ("member_id") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "candidate" ADD CONSTRAINT "candidate_nominated_by_fk" FOREIGN KEY ("nominated_by_member_id") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "meeting_attendance" ADD CONSTRAINT "FK_2bf53a2dc49796d33484ed1fe5c" FOREIGN KEY ("meeting_id") REFERENCES "meeting"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "meeting_attendance" ADD CONSTRAINT "FK_957b3c122b092f0ec5bd4d88f07" FOREIGN KEY ("member_id") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "participation" ADD CONSTRAINT "FK_0904deb3231f07c8f3ead7e2bc8" FOREIGN KEY ("election_id") REFERENCES "election"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "participation" ADD CONSTRAINT "FK_17b14e04cbd28e3c034ae9f9a7f" FOREIGN KEY ("member_id") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "voter_roll_entry" ADD CONSTRAINT "FK_26b03aad8cc82c51abb1537f7f1" FOREIGN KEY ("election_id") REFERENCES "election"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "voter_roll_entry" ADD CONSTRAINT "FK_5085d71f82414adfef8465868a8" FOREIGN KEY ("member_id") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "voter_roll_entry" DROP CONSTRAINT "FK_5085d71f82414adfef8465868a8"',
    );
    await queryRunner.query(
      'ALTER TABLE "voter_roll_entry" DROP CONSTRAINT "FK_26b03aad8cc82c51abb1537f7f1"',
    );
    await queryRunner.query(
      'ALTER TABLE "participation" DROP CONSTRAINT "FK_17b14e04cbd28e3c034ae9f9a7f"',
    );
    await queryRunner.query(
      'ALTER TABLE "participation" DROP CONSTRAINT "FK_0904deb3231f07c8f3ead7e2bc8"',
    );
    await queryRunner.query(
      'ALTER TABLE "meeting_attendance" DROP CONSTRAINT "FK_957b3c122b092f0ec5bd4d88f07"',
    );
    await queryRunner.query(
      'ALTER TABLE "meeting_attendance" DROP CONSTRAINT "FK_2bf53a2dc49796d33484ed1fe5c"',
    );
    await queryRunner.query('ALTER TABLE "candidate" DROP CONSTRAINT "candidate_nominated_by_fk"');
    await queryRunner.query(
      'ALTER TABLE "candidate" DROP CONSTRAINT "FK_294f34534ad729a0d25f71e9c29"',
    );
    await queryRunner.query(
      'ALTER TABLE "candidate" DROP CONSTRAINT "FK_83ce5d7814d5a5b4c0d116fbe48"',
    );
    await queryRunner.query(
      'ALTER TABLE "ballot" DROP CONSTRAINT "FK_8affa12bc7fb7eda1e61aa5132a"',
    );
    await queryRunner.query(
      'ALTER TABLE "election" DROP CONSTRAINT "FK_4e4c01102352c5f8bdeedbf09ef"',
    );
    await queryRunner.query('DROP INDEX "public"."tally_run_contest_input_uq"');
    await queryRunner.query('DROP TABLE "tally_run"');
    await queryRunner.query('DROP INDEX "public"."voter_roll_entry_voter_idx"');
    await queryRunner.query('DROP TABLE "voter_roll_entry"');
    await queryRunner.query('DROP TABLE "participation"');
    await queryRunner.query('DROP INDEX "public"."meeting_attendance_member_idx"');
    await queryRunner.query('DROP TABLE "meeting_attendance"');
    await queryRunner.query('DROP INDEX "public"."candidate_election_member_uq"');
    await queryRunner.query('DROP TABLE "candidate"');
    await queryRunner.query('DROP INDEX "public"."ballot_election_idx"');
    await queryRunner.query('DROP TABLE "ballot"');
    await queryRunner.query('DROP INDEX "public"."election_meeting_idx"');
    await queryRunner.query('DROP INDEX "public"."election_due_idx"');
    await queryRunner.query('DROP TABLE "election"');
    await queryRunner.query('DROP TABLE "meeting"');
  }
}
