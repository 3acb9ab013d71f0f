import type { Ballot } from 'src/tally';
import type { BallotEntity } from './entities/ballot.entity';

/** Stored ballots as the engine counts them; the weight is written only when it is not 1. */
export function engineBallots(rows: readonly Pick<BallotEntity, 'content' | 'weight'>[]): Ballot[] {
  return rows.map(
    (r) => (r.weight === 1 ? { ...r.content } : { ...r.content, weight: r.weight }) as Ballot,
  );
}
