import { tally } from 'src/tally';
import type { CloseSnapshot } from './entities/election.entity';
import {
  checkSettings,
  electionOutcome,
  engineConfig,
  ElectionSettings,
  parseFraction,
  protocolText,
  quorumStatus,
  toEngineBallot,
} from './election-rules';
import { ElectionsException } from './elections.exception';

const settings = (over: Partial<ElectionSettings>): ElectionSettings => ({
  method: 'plurality',
  seats: 1,
  methodConfig: {},
  thresholdRule: { kind: 'none' },
  meetingId: null,
  ...over,
});

const snapshot = (over: Partial<CloseSnapshot> = {}): CloseSnapshot => ({
  rollSize: 10,
  rollWeight: 10,
  participations: 10,
  ballots: 10,
  registered: null,
  quorum: null,
  inputDigest: 'x',
  ...over,
});

describe('election rules', () => {
  it('reads fractions as ratios or decimals in (0, 1]', () => {
    expect(parseFraction('2/3')).toEqual({ num: 2, den: 3 });
    expect(parseFraction('0.6')).toEqual({ num: 6, den: 10 });
    expect(parseFraction('1')).toEqual({ num: 1, den: 1 });
    expect(parseFraction('3/2')).toBeNull();
    expect(parseFraction('0/3')).toBeNull();
    expect(parseFraction('abc')).toBeNull();
  });

  it('measures the quorum against the voting members', () => {
    const rule = { quorumFraction: null, quorumCount: null };
    expect(quorumStatus({ ...rule, quorumKind: 'more_than_half' }, 200, 100)).toMatchObject({
      required: 101,
      met: false,
    });
    expect(quorumStatus({ ...rule, quorumKind: 'more_than_half' }, 201, 101)).toMatchObject({
      required: 101,
      met: true,
    });
    expect(
      quorumStatus({ ...rule, quorumKind: 'fraction', quorumFraction: '1/3' }, 100, 34),
    ).toMatchObject({ required: 34, met: true });
    expect(quorumStatus({ ...rule, quorumKind: 'count', quorumCount: 50 }, 100, 49)).toMatchObject({
      required: 50,
      met: false,
    });
    expect(quorumStatus({ ...rule, quorumKind: 'none' }, 100, 0)).toMatchObject({
      required: 0,
      met: true,
    });
  });

  it('refuses configurations that cannot be counted', () => {
    expect(() => checkSettings(settings({ method: 'irv', seats: 2 }))).toThrow(ElectionsException);
    expect(() => checkSettings(settings({ method: 'stv', seats: 15, methodConfig: {} }))).toThrow(
      /variant/,
    );
    expect(() =>
      checkSettings(settings({ method: 'block', seats: 15, methodConfig: { seats: 3 } })),
    ).toThrow(/does not take/);
    expect(() => checkSettings(settings({ thresholdRule: { kind: 'qualified' } }))).toThrow(
      /fraction/,
    );
    expect(() =>
      checkSettings(settings({ thresholdRule: { kind: 'more_than_half', base: 'registered' } })),
    ).toThrow(/meeting/);
    expect(() =>
      checkSettings(settings({ method: 'stv', seats: 15, methodConfig: { variant: 'meek' } })),
    ).not.toThrow();
  });

  it('turns ranks into the engine ranking and refuses equal ranks where the method has none', () => {
    const stv = settings({ method: 'stv', seats: 2, methodConfig: { variant: 'scottish' } });
    expect(
      toEngineBallot(
        stv,
        ['a', 'b', 'c'],
        {
          preferences: [
            { candidateId: 'b', rank: 2 },
            { candidateId: 'c', rank: 1 },
          ],
        },
        true,
      ),
    ).toEqual({ ranking: [['c'], ['b']] });
    expect(() =>
      toEngineBallot(
        stv,
        ['a', 'b'],
        {
          preferences: [
            { candidateId: 'a', rank: 1 },
            { candidateId: 'b', rank: 1 },
          ],
        },
        true,
      ),
    ).toThrow(/rank 1 is given to more than one/);
    const schulze = settings({ method: 'schulze' });
    expect(
      toEngineBallot(
        schulze,
        ['a', 'b', 'c'],
        {
          preferences: [
            { candidateId: 'b', rank: 1 },
            { candidateId: 'a', rank: 1 },
          ],
        },
        true,
      ),
    ).toEqual({ ranking: [['a', 'b']] });
    expect(toEngineBallot(stv, ['a'], { preferences: [] }, true)).toEqual({ ranking: [] });
    expect(() => toEngineBallot(stv, ['a'], { preferences: [] }, false)).toThrow(/blank/);
  });

  it('leaves a seat vacant when the winner misses the threshold', () => {
    const s = settings({
      method: 'plurality',
      thresholdRule: { kind: 'more_than_half', base: 'valid' },
    });
    const result = tally({
      method: 'plurality',
      config: { seats: 1 },
      candidates: ['a', 'b', 'c'],
      ballots: [
        { choice: 'a', count: 4 },
        { choice: 'b', count: 3 },
        { choice: 'c', count: 3 },
      ],
      seed: 's',
    });
    const outcome = electionOutcome({
      office: 'Chair',
      settings: s,
      names: new Map([
        ['a', 'Ann'],
        ['b', 'Bob'],
        ['c', 'Cy'],
      ]),
      snapshot: snapshot(),
      result,
    });
    expect(result.winners).toEqual(['a']);
    expect(outcome.elected).toEqual([]);
    expect(outcome.threshold).toEqual({
      rule: 'more than half of the valid votes',
      required: '6',
      met: false,
    });
    expect(protocolText(outcome, null)).toContain('No one is elected Chair.');
  });

  it('writes "Elected" without "unanimously" when anyone voted against', () => {
    const result = tally({
      method: 'yes_no',
      config: { threshold: { kind: 'more_than_half', base: 'valid' } },
      candidates: ['a'],
      ballots: [
        { choice: 'yes', count: 150 },
        { choice: 'no', count: 8 },
        { choice: 'abstain', count: 2 },
      ],
      seed: 's',
    });
    const outcome = electionOutcome({
      office: 'President',
      settings: settings({ method: 'yes_no' }),
      names: new Map([['a', 'Jane Doe']]),
      snapshot: snapshot({ rollSize: 200, rollWeight: 200, participations: 160, ballots: 160 }),
      result,
    });
    expect(
      protocolText(outcome, { title: 'AGM', startsAt: new Date('2026-05-01T15:00:00Z') }),
    ).toContain('Elected: 150 for, 8 against, 2 abstained. Jane Doe is elected President.');
  });

  it('measures a yes/no threshold against the registered members or the roll frozen at close', () => {
    const yesNo = (base: 'registered' | 'roll') =>
      engineConfig(
        settings({
          method: 'yes_no',
          meetingId: 'm',
          thresholdRule: { kind: 'qualified', fraction: '2/3', base },
        }),
        snapshot({ registered: 90, rollWeight: 120 }),
      );
    expect(yesNo('registered')).toEqual({
      threshold: { kind: 'qualified', fraction: '2/3', base: 'given', baseCount: 90 },
    });
    expect(yesNo('roll')).toEqual({
      threshold: { kind: 'qualified', fraction: '2/3', base: 'given', baseCount: 120 },
    });
    expect(engineConfig(settings({ method: 'yes_no' }), null)).toEqual({
      threshold: { kind: 'more_than_half', base: 'valid' },
    });
  });
});
