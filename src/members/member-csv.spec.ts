import { MAX_IMPORT_ROWS, parseMemberCsv } from './member-csv';

const HEADER =
  'member_number,kind,name,organisation,email,status,dues_paid_until,vote_weight,user_email,delegate_email,joined_on';

describe('parseMemberCsv', () => {
  it('reads every column of good rows, with defaults for empty cells', () => {
    const csv = [
      HEADER,
      'M-1,Individual,Ada Lovelace,,ADA@Example.org,Lapsed,2026-12-31,3,Ada@Example.org,,2020-02-29',
      'M-2,corporate,Acme,Acme Ltd,,,,,,Boss@Example.org,',
    ].join('\n');
    const result = parseMemberCsv(csv);
    expect(result.errors).toEqual([]);
    expect(result.total).toBe(2);
    expect(result.rows).toEqual([
      {
        line: 2,
        memberNumber: 'M-1',
        kind: 'individual',
        name: 'Ada Lovelace',
        organisation: null,
        email: 'ada@example.org',
        status: 'lapsed',
        duesPaidUntil: '2026-12-31',
        voteWeight: 3,
        userEmail: 'ada@example.org',
        delegateEmail: null,
        joinedOn: '2020-02-29',
      },
      {
        line: 3,
        memberNumber: 'M-2',
        kind: 'corporate',
        name: 'Acme',
        organisation: 'Acme Ltd',
        email: null,
        status: 'active',
        duesPaidUntil: null,
        voteWeight: 1,
        userEmail: null,
        delegateEmail: 'boss@example.org',
        joinedOn: null,
      },
    ]);
  });

  it('accepts columns in any order and case, a BOM, CRLF line ends, quoted commas and Cyrillic', () => {
    const csv = '\uFEFFName,KIND,Member_Number\r\n"Петров, Иван",individual,М-1\r\n\r\n';
    const result = parseMemberCsv(csv);
    expect(result.errors).toEqual([]);
    expect(result.rows).toMatchObject([
      { line: 2, memberNumber: 'М-1', name: 'Петров, Иван', kind: 'individual' },
    ]);
  });

  it('reports every bad field with its line and keeps only the good rows', () => {
    const csv = [
      'member_number,kind,name,organisation,email,status,dues_paid_until,vote_weight,joined_on',
      'M-1,individual,Good,,,,,,',
      ',robot,,,not-an-email,retired,2025-02-30,0,01/02/2020',
      'M-3,corporate,No Org,,,,,1001,',
      'M-1,individual,Duplicate,,,,,,',
    ].join('\n');
    const result = parseMemberCsv(csv);
    expect(result.rows.map((r) => r.memberNumber)).toEqual(['M-1']);
    expect(result.errors.map((e) => [e.line, e.field])).toEqual([
      [3, 'member_number'],
      [3, 'kind'],
      [3, 'name'],
      [3, 'email'],
      [3, 'status'],
      [3, 'dues_paid_until'],
      [3, 'joined_on'],
      [3, 'vote_weight'],
      [4, 'organisation'],
      [4, 'vote_weight'],
      [5, 'member_number'],
    ]);
    expect(result.errors.find((e) => e.line === 5)?.message).toBe('repeats line 2');
  });

  it('refuses a delegate on an individual and a user login on a corporate member', () => {
    const csv = `member_number,kind,name,organisation,user_email,delegate_email\nA,individual,X,,,d@example.org\nB,corporate,Y,Y Ltd,u@example.org,\n`;
    const result = parseMemberCsv(csv);
    expect(result.rows).toEqual([]);
    expect(result.errors.map((e) => [e.line, e.field])).toEqual([
      [2, 'delegate_email'],
      [3, 'user_email'],
    ]);
  });

  it('refuses vote weights that are not whole numbers', () => {
    const csv = `member_number,kind,name,vote_weight\nA,individual,X,1.5\nB,individual,Y,-1\nC,individual,Z,1e2\n`;
    expect(parseMemberCsv(csv).errors.map((e) => e.line)).toEqual([2, 3, 4]);
  });

  it('names unknown, missing and repeated columns on line 1', () => {
    const unknown = parseMemberCsv('member_number,kind,name,is_admin\nA,individual,X,yes\n');
    expect(unknown.rows).toEqual([]);
    expect(unknown.errors).toHaveLength(1);
    expect(unknown.errors[0]).toMatchObject({ line: 1, field: null });
    expect(unknown.errors[0].message).toContain('unknown columns: is_admin');

    const missing = parseMemberCsv('member_number,name\nA,X\n');
    expect(missing.errors[0].message).toContain('missing columns: kind');

    const repeated = parseMemberCsv('member_number,kind,name,name\nA,individual,X,Y\n');
    expect(repeated.errors[0].message).toContain('repeated columns: name');
  });

  it('reports an empty file and a file that is not CSV', () => {
    expect(parseMemberCsv('').errors).toEqual([
      { line: 1, field: null, message: 'The file is empty' },
    ]);
    const broken = parseMemberCsv('member_number,kind,name\n"A,individual,X\n');
    expect(broken.rows).toEqual([]);
    expect(broken.errors[0].message).toMatch(/^Not a valid CSV file/);
  });

  it('refuses a file with more rows than allowed', () => {
    const rows = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `M-${i},individual,N`);
    const result = parseMemberCsv(['member_number,kind,name', ...rows].join('\n'));
    expect(result.rows).toEqual([]);
    expect(result.errors).toEqual([
      { line: 1, field: null, message: `At most ${MAX_IMPORT_ROWS} rows per file` },
    ]);
  });
});
