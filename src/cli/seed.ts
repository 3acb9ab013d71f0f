import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { AppModule } from 'src/app.module';
import type { Role } from 'src/auth/entities/user.entity';
import { UsersRepository } from 'src/auth/users.repository';
import { UsersService } from 'src/auth/users.service';
import { PinoLoggerService } from 'src/common/logging/pino-logger';
import { loadConfig } from 'src/config/load-config';
import { resolveDatabase } from 'src/database/resolve-database';
import type { MemberKind } from 'src/members/entities/member.entity';
import { MembersRepository } from 'src/members/members.repository';
import { MembersService } from 'src/members/members.service';

interface DemoPerson {
  email: string;
  name: string;
  role: Role;
}

interface DemoMember {
  number: string;
  kind: MemberKind;
  name: string;
  organisation?: string;
  loginEmail?: string;
  duesPaidUntil: string;
}

/** A small association: an admin, three jurors, individual members and two corporate members. */
const PEOPLE: DemoPerson[] = [
  { email: 'jury.ivanova@example.org', name: 'Мария Иванова', role: 'jury' },
  { email: 'jury.novak@example.org', name: 'Petr Novák', role: 'jury' },
  { email: 'jury.smith@example.org', name: 'Helen Smith', role: 'jury' },
  { email: 'anna.petrova@example.org', name: 'Анна Петрова', role: 'member' },
  { email: 'dmitry.sokolov@example.org', name: 'Дмитрий Соколов', role: 'member' },
  { email: 'elena.kuznetsova@example.org', name: 'Елена Кузнецова', role: 'member' },
  { email: 'john.taylor@example.org', name: 'John Taylor', role: 'member' },
  { email: 'delegate.rosatom@example.org', name: 'Игорь Волков', role: 'member' },
  { email: 'delegate.nordcomm@example.org', name: 'Sara Lind', role: 'member' },
];

const MEMBERS: DemoMember[] = [
  { number: 'I-001', kind: 'individual', name: 'Анна Петрова', loginEmail: 'anna.petrova@example.org', duesPaidUntil: '2027-03-31' },
  { number: 'I-002', kind: 'individual', name: 'Дмитрий Соколов', loginEmail: 'dmitry.sokolov@example.org', duesPaidUntil: '2027-03-31' },
  { number: 'I-003', kind: 'individual', name: 'Елена Кузнецова', loginEmail: 'elena.kuznetsova@example.org', duesPaidUntil: '2026-03-31' },
  { number: 'I-004', kind: 'individual', name: 'John Taylor', loginEmail: 'john.taylor@example.org', duesPaidUntil: '2027-03-31' },
  { number: 'C-001', kind: 'corporate', name: 'АО «Энергокоммуникации»', organisation: 'АО «Энергокоммуникации»', loginEmail: 'delegate.rosatom@example.org', duesPaidUntil: '2027-03-31' },
  { number: 'C-002', kind: 'corporate', name: 'NordComm AB', organisation: 'NordComm AB', loginEmail: 'delegate.nordcomm@example.org', duesPaidUntil: '2027-03-31' },
];

async function main(): Promise<void> {
  const config = loadConfig();
  const log = pino({ level: 'warn' });
  const database = await resolveDatabase(config, log);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, database.url), {
    logger: new PinoLoggerService(log),
  });
  try {
    const users = app.get(UsersRepository);
    const usersService = app.get(UsersService);
    const members = app.get(MembersRepository);
    const membersService = app.get(MembersService);
    // Sixteen random characters: well above the password policy's least score.
    const password = randomBytes(12).toString('base64url');
    const created: string[] = [];
    const ids = new Map<string, string>();
    for (const person of PEOPLE) {
      const existing = await users.findByEmail(person.email);
      if (existing) {
        ids.set(person.email, existing.id);
        continue;
      }
      const user = await usersService.create(null, {
        email: person.email,
        displayName: person.name,
        role: person.role,
        password,
      });
      ids.set(person.email, user.id);
      created.push(`${person.role.padEnd(6)} ${person.email}  (${person.name})`);
    }
    let newMembers = 0;
    for (const m of MEMBERS) {
      if ((await members.findByNumbers([m.number])).length > 0) {
        continue;
      }
      const link = m.loginEmail ? ids.get(m.loginEmail) : undefined;
      const fields = {
        memberNumber: m.number,
        kind: m.kind,
        name: m.name,
        organisation: m.organisation,
        duesPaidUntil: m.duesPaidUntil,
        ...(m.kind === 'individual' ? { userId: link } : { delegateUserId: link }),
      };
      await membersService.create(null, fields);
      newMembers++;
    }
    if (created.length > 0) {
      // Beside the embedded server's data folder: .data, with the other local secrets, by default.
      const folder = dirname(config.database.embeddedDir);
      const file = join(folder, 'seed-credentials.txt');
      mkdirSync(folder, { recursive: true });
      writeFileSync(file, `password for every demo user: ${password}\n${created.join('\n')}\n`, { mode: 0o600 });
      process.stdout.write(
        `Created ${created.length} demo users and ${newMembers} members.\n${created.join('\n')}\n` +
          `Their password (also in ${file}): ${password}\n`,
      );
    } else {
      process.stdout.write(`Demo users already exist; ${newMembers} members added.\n`);
    }
  } finally {
    await app.close();
    await database.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`Seed failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
