/**
 * What sealing costs (not a test): the CPU a cast spends sealing its ballot, and what the tally
 * spends opening a whole election's ballots (open, receipt check, grouping), on seeded STV ballots
 * of 40 candidates. Run with `npm run bench:sealing`; BENCH_SEAL_BALLOTS sets the election size.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { canonicalJson, sha256Hex } from 'src/common/canonical-json';
import {
  newElectionKeyPair,
  openBallot,
  sealBallot,
  type SealedContent,
} from 'src/elections/ballot-sealing';
import { groupByContent } from 'src/elections/election-ballots';
import { FastRandom } from 'src/tally/arith/prng';

const BALLOTS = Number(process.env.BENCH_SEAL_BALLOTS ?? 100_000);
const ELECTION = '00000000-0000-4000-8000-000000000001';

function cpuMs(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}

function main(): void {
  const random = new FastRandom('bench-sealing');
  const candidates = Array.from({ length: 40 }, (_, i) => `c${String(i).padStart(2, '0')}`);
  const contents: SealedContent[] = [];
  for (let i = 0; i < BALLOTS; i++) {
    const ranking = [...candidates]
      .sort(() => random.next() - 0.5)
      .slice(0, 1 + Math.floor(random.next() * 15))
      .map((c) => [c]);
    contents.push({ ballot: { ranking }, nonce: randomBytes(32).toString('hex') });
  }
  const keys = newElectionKeyPair();

  let start = process.cpuUsage();
  const sealed = contents.map((c) => ({
    sealed: sealBallot(c, keys.publicKey),
    receipt: sha256Hex(canonicalJson({ electionId: ELECTION, ...c })),
    weight: 1,
  }));
  const sealMs = cpuMs(start);

  start = process.cpuUsage();
  const groups = groupByContent(
    sealed.map((row) => {
      const opened = openBallot(row.sealed, keys)!;
      if (
        sha256Hex(
          canonicalJson({ electionId: ELECTION, ballot: opened.ballot, nonce: opened.nonce }),
        ) !== row.receipt
      ) {
        throw new Error('a ballot does not match its receipt');
      }
      return { content: opened.ballot, weight: row.weight };
    }),
  );
  const openMs = cpuMs(start);

  const bytes = sealed.reduce((n, r) => n + r.sealed.length, 0);
  process.stdout.write(
    [
      `sealing ${BALLOTS.toLocaleString('en')} STV ballots (40 candidates, 1–15 preferences), load average ${loadavg()[0].toFixed(1)}`,
      `seal at cast: ${((sealMs * 1000) / BALLOTS).toFixed(1)} µs CPU a ballot (ballot JSON and libsodium sealed box), ${(bytes / BALLOTS).toFixed(0)} bytes a sealed ballot`,
      `open at tally: ${((openMs * 1000) / BALLOTS).toFixed(1)} µs CPU a ballot (open, parse, receipt check, grouping); ${(openMs / 1000).toFixed(2)} s for the election, ${groups.length.toLocaleString('en')} distinct contents`,
      '',
    ].join('\n'),
  );
}

main();
