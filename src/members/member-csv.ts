import { parse } from 'csv-parse/sync';
import { MEMBER_KINDS, MEMBER_STATUSES, MemberKind, MemberStatus } from './entities/member.entity';

export const CSV_COLUMNS = [
  'member_number',
  'kind',
  'name',
  'organisation',
  'email',
  'status',
  'dues_paid_until',
  'vote_weight',
  'user_email',
  'delegate_email',
  'joined_on',
] as const;
const REQUIRED = ['member_number', 'kind', 'name'] as const;
export const MAX_IMPORT_ROWS = 10_000;

export interface CsvMemberRow {
  line: number;
  memberNumber: string;
  kind: MemberKind;
  name: string;
  organisation: string | null;
  email: string | null;
  status: MemberStatus;
  duesPaidUntil: string | null;
  voteWeight: number;
  userEmail: string | null;
  delegateEmail: string | null;
  joinedOn: string | null;
}

export interface RowError {
  line: number;
  field: string | null;
  message: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function validDate(value: string): boolean {
  if (!DATE.test(value)) {
    return false;
  }
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

/**
 * Parses and checks a member file without touching the database. Every problem is reported with its
 * line, so a secretary can fix the file in one go.
 */
export function parseMemberCsv(text: string): { rows: CsvMemberRow[]; errors: RowError[]; total: number } {
  let records: string[][];
  try {
    const rows: unknown = parse(text, { bom: true, trim: true, skip_empty_lines: true });
    records = rows as string[][];
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    return { rows: [], total: 0, errors: [{ line, field: null, message: `Not a valid CSV file: ${(error as Error).message}` }] };
  }
  if (records.length === 0) {
    return { rows: [], total: 0, errors: [{ line: 1, field: null, message: 'The file is empty' }] };
  }
  const header = records[0].map((h) => h.toLowerCase());
  const errors: RowError[] = [];
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  const missing = REQUIRED.filter((h) => !header.includes(h));
  const repeated = header.filter((h, i) => header.indexOf(h) !== i);
  if (unknown.length || missing.length || repeated.length) {
    const parts = [
      unknown.length ? `unknown columns: ${unknown.join(', ')}` : '',
      missing.length ? `missing columns: ${missing.join(', ')}` : '',
      repeated.length ? `repeated columns: ${repeated.join(', ')}` : '',
    ].filter(Boolean);
    return {
      rows: [],
      total: records.length - 1,
      errors: [{ line: 1, field: null, message: `${parts.join('; ')}. Allowed columns: ${CSV_COLUMNS.join(', ')}` }],
    };
  }
  if (records.length - 1 > MAX_IMPORT_ROWS) {
    return { rows: [], total: records.length - 1, errors: [{ line: 1, field: null, message: `At most ${MAX_IMPORT_ROWS} rows per file` }] };
  }
  const rows: CsvMemberRow[] = [];
  const seen = new Map<string, number>();
  records.slice(1).forEach((record, index) => {
    const line = index + 2;
    const cell = (name: string): string => record[header.indexOf(name)] ?? '';
    const opt = (name: string): string | null => (cell(name) === '' ? null : cell(name));
    const rowErrors: RowError[] = [];
    const fail = (field: string, message: string): void => {
      rowErrors.push({ line, field, message });
    };

    const memberNumber = cell('member_number');
    if (!memberNumber) {
      fail('member_number', 'is required');
    } else if (memberNumber.length > 50) {
      fail('member_number', 'is longer than 50 characters');
    } else if (seen.has(memberNumber)) {
      fail('member_number', `repeats line ${seen.get(memberNumber)}`);
    } else {
      seen.set(memberNumber, line);
    }
    const kind = cell('kind').toLowerCase();
    if (!(MEMBER_KINDS as readonly string[]).includes(kind)) {
      fail('kind', `must be one of ${MEMBER_KINDS.join(', ')}`);
    }
    const name = cell('name');
    if (!name) {
      fail('name', 'is required');
    } else if (name.length > 300) {
      fail('name', 'is longer than 300 characters');
    }
    const organisation = opt('organisation');
    if (kind === 'corporate' && !organisation) {
      fail('organisation', 'is required for a corporate member');
    }
    const email = opt('email')?.toLowerCase() ?? null;
    if (email && !EMAIL.test(email)) {
      fail('email', 'is not an e-mail address');
    }
    const status = (opt('status') ?? 'active').toLowerCase();
    if (!(MEMBER_STATUSES as readonly string[]).includes(status)) {
      fail('status', `must be one of ${MEMBER_STATUSES.join(', ')}`);
    }
    const duesPaidUntil = opt('dues_paid_until');
    if (duesPaidUntil && !validDate(duesPaidUntil)) {
      fail('dues_paid_until', 'must be a date as YYYY-MM-DD');
    }
    const joinedOn = opt('joined_on');
    if (joinedOn && !validDate(joinedOn)) {
      fail('joined_on', 'must be a date as YYYY-MM-DD');
    }
    const weightText = opt('vote_weight') ?? '1';
    const voteWeight = Number(weightText);
    if (!/^\d+$/.test(weightText) || voteWeight < 1 || voteWeight > 1000) {
      fail('vote_weight', 'must be a whole number from 1 to 1000');
    }
    const userEmail = opt('user_email')?.toLowerCase() ?? null;
    const delegateEmail = opt('delegate_email')?.toLowerCase() ?? null;
    if (userEmail && kind === 'corporate') {
      fail('user_email', 'a corporate member acts through delegate_email, not user_email');
    }
    if (delegateEmail && kind === 'individual') {
      fail('delegate_email', 'only a corporate member has a delegate');
    }
    if (rowErrors.length > 0) {
      errors.push(...rowErrors);
      return;
    }
    rows.push({
      line,
      memberNumber,
      kind: kind as MemberKind,
      name,
      organisation,
      email,
      status: status as MemberStatus,
      duesPaidUntil,
      voteWeight,
      userEmail,
      delegateEmail,
      joinedOn,
    });
  });
  return { rows, errors, total: records.length - 1 };
}
