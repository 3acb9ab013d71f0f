import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateFoundation1795378320498 implements MigrationInterface {
  name = 'CreateFoundation1795378320498';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE "audit_event" ("seq" bigint NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor_kind" text NOT NULL, "actor_id" uuid, "action" text NOT NULL, "subject_type" text NOT NULL, "subject_id" text, "data" jsonb NOT NULL, "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "UQ_ad6d5d24a1b0a012e92743ea185" UNIQUE ("hash"), CONSTRAINT "audit_event_actor_kind_check" CHECK ("actor_kind" IN (\'user\', \'system\', \'anonymous\')), CONSTRAINT "PK_53300da00860bdf4dc3ef7daae6" PRIMARY KEY ("seq"))',
    );
    await queryRunner.query(
      'CREATE INDEX "audit_event_subject_idx" ON "audit_event"  ("subject_type", "subject_id", "seq") ',
    );
    await queryRunner.query(
      'CREATE TABLE "app_user" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" text NOT NULL, "display_name" text NOT NULL, "password_hash" text NOT NULL, "role" text NOT NULL, "status" text NOT NULL DEFAULT \'active\', "token_version" integer NOT NULL DEFAULT \'0\', "last_login_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_3fa909d0e37c531ebc237703391" UNIQUE ("email"), CONSTRAINT "app_user_email_lower_check" CHECK ("email" = lower("email")), CONSTRAINT "app_user_status_check" CHECK ("status" IN (\'active\', \'disabled\')), CONSTRAINT "app_user_role_check" CHECK ("role" IN (\'admin\', \'jury\', \'member\')), CONSTRAINT "PK_22a5c4a3d9b2fb8e4e73fc4ada1" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE TABLE "auth_session" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "refresh_token_hash" character(64) NOT NULL, "generation" integer NOT NULL DEFAULT \'0\', "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "revoked_reason" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_c36ab9d68474b35d9e11d199c18" UNIQUE ("refresh_token_hash"), CONSTRAINT "PK_19354ed146424a728c1112a8cbf" PRIMARY KEY ("id"))',
    );
    await queryRunner.query('CREATE INDEX "auth_session_user_idx" ON "auth_session"  ("user_id") ');
    await queryRunner.query(
      'CREATE TABLE "outbox" ("id" BIGSERIAL NOT NULL, "queue" text NOT NULL, "job_name" text NOT NULL, "job_id" text NOT NULL, "payload" jsonb NOT NULL, "status" text NOT NULL DEFAULT \'pending\', "attempts" integer NOT NULL DEFAULT \'0\', "available_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_error" text, "relayed_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_fca572df71a1e08db50f81f7617" UNIQUE ("job_id"), CONSTRAINT "outbox_status_check" CHECK ("status" IN (\'pending\', \'relayed\', \'done\', \'failed\')), CONSTRAINT "PK_340ab539f309f03bdaa14aa7649" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "outbox_pending_idx" ON "outbox"  ("available_at") WHERE "status" = \'pending\'',
    );
    await queryRunner.query(
      'CREATE TABLE "member" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "member_number" text NOT NULL, "kind" text NOT NULL, "name" text NOT NULL, "organisation" text, "email" text, "status" text NOT NULL DEFAULT \'active\', "dues_paid_until" date, "vote_weight" integer NOT NULL DEFAULT \'1\', "user_id" uuid, "delegate_user_id" uuid, "joined_on" date, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_880751196e91088e14dcd35d132" UNIQUE ("member_number"), CONSTRAINT "member_corporate_no_user_check" CHECK ("kind" <> \'corporate\' OR "user_id" IS NULL), CONSTRAINT "member_individual_no_delegate_check" CHECK ("kind" <> \'individual\' OR "delegate_user_id" IS NULL), CONSTRAINT "member_corporate_org_check" CHECK ("kind" <> \'corporate\' OR "organisation" IS NOT NULL), CONSTRAINT "member_vote_weight_check" CHECK ("vote_weight" >= 1 AND "vote_weight" <= 1000), CONSTRAINT "member_status_check" CHECK ("status" IN (\'active\', \'suspended\', \'lapsed\')), CONSTRAINT "member_kind_check" CHECK ("kind" IN (\'individual\', \'corporate\')), CONSTRAINT "PK_97cbbe986ce9d14ca5894fdc072" PRIMARY KEY ("id"))',
    );
    await queryRunner.query(
      'CREATE INDEX "member_delegate_idx" ON "member"  ("delegate_user_id") ',
    );
    await queryRunner.query(
      'CREATE UNIQUE INDEX "member_user_uq" ON "member"  ("user_id") WHERE "user_id" IS NOT NULL',
    );
    await queryRunner.query(
      'ALTER TABLE "auth_session" ADD CONSTRAINT "FK_b8783d517fab10672700a39cb49" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "member" ADD CONSTRAINT "FK_efc766611e939bdbe6f7088984d" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
    await queryRunner.query(
      'ALTER TABLE "member" ADD CONSTRAINT "FK_726bb052327650386a951678e38" FOREIGN KEY ("delegate_user_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE NO ACTION',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "member" DROP CONSTRAINT "FK_726bb052327650386a951678e38"',
    );
    await queryRunner.query(
      'ALTER TABLE "member" DROP CONSTRAINT "FK_efc766611e939bdbe6f7088984d"',
    );
    await queryRunner.query(
      'ALTER TABLE "auth_session" DROP CONSTRAINT "FK_b8783d517fab10672700a39cb49"',
    );
    await queryRunner.query('DROP INDEX "public"."member_user_uq"');
    await queryRunner.query('DROP INDEX "public"."member_delegate_idx"');
    await queryRunner.query('DROP TABLE "member"');
    await queryRunner.query('DROP INDEX "public"."outbox_pending_idx"');
    await queryRunner.query('DROP TABLE "outbox"');
    await queryRunner.query('DROP INDEX "public"."auth_session_user_idx"');
    await queryRunner.query('DROP TABLE "auth_session"');
    await queryRunner.query('DROP TABLE "app_user"');
    await queryRunner.query('DROP INDEX "public"."audit_event_subject_idx"');
    await queryRunner.query('DROP TABLE "audit_event"');
  }
}
