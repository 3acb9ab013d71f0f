import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAwards1795380325203 implements MigrationInterface {
  name = 'CreateAwards1795380325203';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "award_program" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "slug" text NOT NULL, "title" text NOT NULL, "description" text NOT NULL DEFAULT \'\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_bf8a8876f5ee3c71b2fafa0fa81" UNIQUE ("slug"), CONSTRAINT "PK_833146c80b2d1e45b4815033b32" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "award_edition" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "program_id" uuid NOT NULL, "year" integer NOT NULL, "ordinal" text NOT NULL, "phase" text NOT NULL DEFAULT \'draft\', "nominations_open_at" TIMESTAMP WITH TIME ZONE, "nominations_close_at" TIMESTAMP WITH TIME ZONE, "ceremony_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "award_edition_window_check" CHECK ("nominations_open_at" IS NULL OR "nominations_close_at" IS NULL OR "nominations_open_at" < "nominations_close_at"), CONSTRAINT "award_edition_year_check" CHECK ("year" >= 1900 AND "year" <= 3000), CONSTRAINT "award_edition_phase_check" CHECK ("phase" IN (\'draft\', \'nominations\', \'screening\', \'jury\', \'results\', \'closed\')), CONSTRAINT "PK_4ab39db9f340e7ea1fc33c2293f" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "award_edition_program_year_uq" ON "award_edition"  ("program_id", "year") ',
    );
    await queryRunner.query(
      'CREATE TABLE "award_category" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "edition_id" uuid NOT NULL, "title" text NOT NULL, "description" text NOT NULL DEFAULT \'\', "method" text NOT NULL, "method_config" jsonb NOT NULL DEFAULT \'{}\', "winners" integer NOT NULL DEFAULT \'1\', "short_list_size" integer, "criteria" jsonb NOT NULL DEFAULT \'[]\', "nominations_per_member" integer NOT NULL DEFAULT \'1\', "self_nomination_allowed" boolean NOT NULL DEFAULT false, "nominations_closed" boolean NOT NULL DEFAULT false, "results_display" text NOT NULL DEFAULT \'anonymised_jurors\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "award_category_display_check" CHECK ("results_display" IN (\'anonymised_jurors\', \'aggregates_only\')), CONSTRAINT "award_category_limit_check" CHECK ("nominations_per_member" >= 1), CONSTRAINT "award_category_short_list_check" CHECK ("short_list_size" IS NULL OR ("short_list_size" >= 1 AND "short_list_size" <= 100)), CONSTRAINT "award_category_winners_check" CHECK ("winners" >= 1 AND "winners" <= 20), CONSTRAINT "award_category_method_check" CHECK ("method" IN (\'score\', \'borda\', \'schulze\', \'irv\')), CONSTRAINT "PK_cf8f0ba2e194ce73ea78ec63951" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "award_category_edition_idx" ON "award_category"  ("edition_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "award_nominee" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "category_id" uuid NOT NULL, "name" text NOT NULL, "organisation" text, "description" text NOT NULL DEFAULT \'\', "links" jsonb NOT NULL DEFAULT \'[]\', "status" text NOT NULL DEFAULT \'submitted\', "status_reason" text, "merged_into_id" uuid, "consent_status" text NOT NULL DEFAULT \'not_requested\', "consent_token_hash" character(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "award_nominee_merged_check" CHECK (("status" = \'merged\') = ("merged_into_id" IS NOT NULL)), CONSTRAINT "award_nominee_consent_check" CHECK ("consent_status" IN (\'not_requested\', \'requested\', \'given\', \'declined\')), CONSTRAINT "award_nominee_status_check" CHECK ("status" IN (\'submitted\', \'accepted\', \'rejected\', \'longlisted\', \'shortlisted\', \'winner\', \'not_selected\', \'withdrawn\', \'merged\')), CONSTRAINT "PK_68f468988b226e6d990a530448e" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "award_nominee_consent_token_uq" ON "award_nominee"  ("consent_token_hash") WHERE "consent_token_hash" IS NOT NULL',
    );
    await queryRunner.query(
      'CREATE INDEX "award_nominee_category_idx" ON "award_nominee"  ("category_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "award_nomination" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "category_id" uuid NOT NULL, "nominee_id" uuid NOT NULL, "member_id" uuid NOT NULL, "submitted_by" uuid NOT NULL, "nominee_name" text NOT NULL, "organisation" text, "description" text NOT NULL DEFAULT \'\', "links" jsonb NOT NULL DEFAULT \'[]\', "self_nomination" boolean NOT NULL DEFAULT false, "status" text NOT NULL DEFAULT \'active\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "award_nomination_status_check" CHECK ("status" IN (\'active\', \'withdrawn\')), CONSTRAINT "PK_c777ce55ba5ffd6ad0a39cedad6" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "award_nomination_nominee_idx" ON "award_nomination"  ("nominee_id") ',
    );
    await queryRunner.query(
      'CREATE INDEX "award_nomination_member_idx" ON "award_nomination"  ("category_id", "member_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "award_round" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "category_id" uuid NOT NULL, "number" integer NOT NULL, "kind" text NOT NULL, "seats" integer NOT NULL, "status" text NOT NULL DEFAULT \'draft\', "nominee_ids" jsonb NOT NULL DEFAULT \'[]\', "tie_break_seed" text NOT NULL, "opens_at" TIMESTAMP WITH TIME ZONE, "closes_at" TIMESTAMP WITH TIME ZONE, "opened_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, "input_digest" character(64), "outcome" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "award_round_schedule_check" CHECK ("opens_at" IS NULL OR "closes_at" IS NULL OR "opens_at" < "closes_at"), CONSTRAINT "award_round_seats_check" CHECK ("seats" >= 1), CONSTRAINT "award_round_status_check" CHECK ("status" IN (\'draft\', \'open\', \'closed\', \'tie_pending\', \'decided\')), CONSTRAINT "award_round_kind_check" CHECK ("kind" IN (\'shortlist\', \'final\')), CONSTRAINT "PK_7386e6f33b4264ce3ccf78fe7e5" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "award_round_due_idx" ON "award_round"  ("status", "opens_at", "closes_at") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "award_round_category_number_uq" ON "award_round"  ("category_id", "number") ',
    );
    await queryRunner.query(
      'CREATE TABLE "award_jury_assignment" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "category_id" uuid NOT NULL, "user_id" uuid NOT NULL, "role" text NOT NULL DEFAULT \'juror\', "organisation" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "award_jury_assignment_role_check" CHECK ("role" IN (\'juror\', \'chair\')), CONSTRAINT "PK_e9effe00f0d931c959a3e42e368" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "award_jury_assignment_user_idx" ON "award_jury_assignment"  ("user_id") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "award_jury_assignment_chair_uq" ON "award_jury_assignment"  ("category_id") WHERE "role" = \'chair\'',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "award_jury_assignment_uq" ON "award_jury_assignment"  ("category_id", "user_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "award_jury_ballot" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "round_id" uuid NOT NULL, "user_id" uuid NOT NULL, "content" jsonb NOT NULL, "status" text NOT NULL DEFAULT \'draft\', "submitted_at" TIMESTAMP WITH TIME ZONE, "revision" integer NOT NULL DEFAULT \'1\', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "award_jury_ballot_submitted_check" CHECK (("status" = \'submitted\') = ("submitted_at" IS NOT NULL)), CONSTRAINT "award_jury_ballot_status_check" CHECK ("status" IN (\'draft\', \'submitted\')), CONSTRAINT "PK_7b8ffbb53403390231f728f7e71" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "award_jury_ballot_round_juror_uq" ON "award_jury_ballot"  ("round_id", "user_id") ',
    );
    await queryRunner.query(
      'CREATE TABLE "award_jury_conflict" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "category_id" uuid NOT NULL, "user_id" uuid NOT NULL, "nominee_id" uuid NOT NULL, "type" text NOT NULL, "source" text NOT NULL, "note" text, "status" text NOT NULL DEFAULT \'active\', "dismissed_reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "award_jury_conflict_dismissal_check" CHECK ("status" <> \'dismissed\' OR ("source" = \'detected\' AND "dismissed_reason" IS NOT NULL)), CONSTRAINT "award_jury_conflict_status_check" CHECK ("status" IN (\'active\', \'dismissed\')), CONSTRAINT "award_jury_conflict_source_check" CHECK ("source" IN (\'declared\', \'detected\')), CONSTRAINT "award_jury_conflict_type_check" CHECK ("type" IN (\'affiliation\', \'personal\', \'financial\', \'other\')), CONSTRAINT "PK_85a65e011c5cb017302d88fb9d1" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "award_jury_conflict_category_idx" ON "award_jury_conflict"  ("category_id") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "award_jury_conflict_uq" ON "award_jury_conflict"  ("user_id", "nominee_id") ',
    );
    await queryRunner.query(
      'ALTER TABLE "award_edition" ADD CONSTRAINT "FK_ce5d9c0c823f55f317926d3386c" FOREIGN KEY ("program_id") REFERENCES "award_program"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "award_category" ADD CONSTRAINT "FK_15a47189582414092fe7cdc966a" FOREIGN KEY ("edition_id") REFERENCES "award_edition"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "award_nominee" ADD CONSTRAINT "FK_39891b45459cd1ab0ed8c16097d" FOREIGN KEY ("category_id") REFERENCES "award_category"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "award_nominee" ADD CONSTRAINT "FK_a74107e4d9335b5fb2df257fe92" FOREIGN KEY ("merged_into_id") REFERENCES "award_nominee"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "award_nomination" ADD CONSTRAINT "FK_f9739d5de0d277822c81e2335fe" FOREIGN KEY ("category_id") REFERENCES "award_category"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "award_nomination" ADD CONSTRAINT "FK_2b1c651444db60cf3eeae483ecd" FOREIGN KEY ("nominee_id") REFERENCES "award_nominee"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "award_nomination" ADD CONSTRAINT "FK_0f00d375820c4bac249c4363bd4" FOREIGN KEY ("member_id") REFERENCES "member"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "award_nomination" ADD CONSTRAINT "FK_84da110ba239407317aea909c4a" FOREIGN KEY ("submitted_by") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "award_round" ADD CONSTRAINT "FK_d475a97592b7934272a05b27546" FOREIGN KEY ("category_id") REFERENCES "award_category"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "award_jury_assignment" ADD CONSTRAINT "FK_8b2526c9aa679c41bd5aace43bf" FOREIGN KEY ("category_id") REFERENCES "award_category"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "award_jury_assignment" ADD CONSTRAINT "FK_46c42075d24016c7d1106d5d817" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "award_jury_ballot" ADD CONSTRAINT "FK_4f3011ba65711462a4ad1dc5078" FOREIGN KEY ("round_id") REFERENCES "award_round"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "award_jury_ballot" ADD CONSTRAINT "FK_b513d4d9c60d72bfa45d25b7e09" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "award_jury_conflict" ADD CONSTRAINT "FK_cc2890662f5ad99a1c8bf06ee6d" FOREIGN KEY ("category_id") REFERENCES "award_category"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "award_jury_conflict" ADD CONSTRAINT "FK_337aa2c4be24f12845b58476d68" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "award_jury_conflict" ADD CONSTRAINT "FK_190e696c094c67a70a9b8057ec4" FOREIGN KEY ("nominee_id") REFERENCES "award_nominee"("id") ON DELETE RESTRICT ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "award_jury_conflict" DROP CONSTRAINT "FK_190e696c094c67a70a9b8057ec4"',
    );
    await queryRunner.query(
      'ALTER TABLE "award_jury_conflict" DROP CONSTRAINT "FK_337aa2c4be24f12845b58476d68"',
    );
    await queryRunner.query(
      'ALTER TABLE "award_jury_conflict" DROP CONSTRAINT "FK_cc2890662f5ad99a1c8bf06ee6d"',
    );
    await queryRunner.query(
      'ALTER TABLE "award_jury_ballot" DROP CONSTRAINT "FK_b513d4d9c60d72bfa45d25b7e09"',
    );
    await queryRunner.query(
      'ALTER TABLE "award_jury_ballot" DROP CONSTRAINT "FK_4f3011ba65711462a4ad1dc5078"',
    );
    await queryRunner.query(
      'ALTER TABLE "award_jury_assignment" DROP CONSTRAINT "FK_46c42075d24016c7d1106d5d817"',
    );
    await queryRunner.query(
      'ALTER TABLE "award_jury_assignment" DROP CONSTRAINT "FK_8b2526c9aa679c41bd5aace43bf"',
    );
    await queryRunner.query(
      'ALTER TABLE "award_round" DROP CONSTRAINT "FK_d475a97592b7934272a05b27546"',
    );
    await queryRunner.query(
      'ALTER TABLE "award_nomination" DROP CONSTRAINT "FK_84da110ba239407317aea909c4a"',
    );
    await queryRunner.query(
      'ALTER TABLE "award_nomination" DROP CONSTRAINT "FK_0f00d375820c4bac249c4363bd4"',
    );
    await queryRunner.query(
      'ALTER TABLE "award_nomination" DROP CONSTRAINT "FK_2b1c651444db60cf3eeae483ecd"',
    );
    await queryRunner.query(
      'ALTER TABLE "award_nomination" DROP CONSTRAINT "FK_f9739d5de0d277822c81e2335fe"',
    );
    await queryRunner.query(
      'ALTER TABLE "award_nominee" DROP CONSTRAINT "FK_a74107e4d9335b5fb2df257fe92"',
    );
    await queryRunner.query(
      'ALTER TABLE "award_nominee" DROP CONSTRAINT "FK_39891b45459cd1ab0ed8c16097d"',
    );
    await queryRunner.query(
      'ALTER TABLE "award_category" DROP CONSTRAINT "FK_15a47189582414092fe7cdc966a"',
    );
    await queryRunner.query(
      'ALTER TABLE "award_edition" DROP CONSTRAINT "FK_ce5d9c0c823f55f317926d3386c"',
    );
    await queryRunner.query('DROP INDEX "public"."award_jury_conflict_uq"');
    await queryRunner.query('DROP INDEX "public"."award_jury_conflict_category_idx"');
    await queryRunner.query('DROP TABLE "award_jury_conflict"');
    await queryRunner.query('DROP INDEX "public"."award_jury_ballot_round_juror_uq"');
    await queryRunner.query('DROP TABLE "award_jury_ballot"');
    await queryRunner.query('DROP INDEX "public"."award_jury_assignment_uq"');
    await queryRunner.query('DROP INDEX "public"."award_jury_assignment_chair_uq"');
    await queryRunner.query('DROP INDEX "public"."award_jury_assignment_user_idx"');
    await queryRunner.query('DROP TABLE "award_jury_assignment"');
    await queryRunner.query('DROP INDEX "public"."award_round_category_number_uq"');
    await queryRunner.query('DROP INDEX "public"."award_round_due_idx"');
    await queryRunner.query('DROP TABLE "award_round"');
    await queryRunner.query('DROP INDEX "public"."award_nomination_member_idx"');
    await queryRunner.query('DROP INDEX "public"."award_nomination_nominee_idx"');
    await queryRunner.query('DROP TABLE "award_nomination"');
    await queryRunner.query('DROP INDEX "public"."award_nominee_category_idx"');
    await queryRunner.query('DROP INDEX "public"."award_nominee_consent_token_uq"');
    await queryRunner.query('DROP TABLE "award_nominee"');
    await queryRunner.query('DROP INDEX "public"."award_category_edition_idx"');
    await queryRunner.query('DROP TABLE "award_category"');
    await queryRunner.query('DROP INDEX "public"."award_edition_program_year_uq"');
    await queryRunner.query('DROP TABLE "award_edition"');
    await queryRunner.query('DROP TABLE "award_program"');
  }
}
