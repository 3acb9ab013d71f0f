/**
 * The tally engine: pure counting of contests (no Nest, no database, no clock, no randomness
 * except the seed in the input). See README "Tally engine".
 */
export { ENGINE_VERSION } from './result';
export { tally } from './tally';
export { validateBallot } from './validate';
export { TallyInputError } from './errors';
export { Rational } from './arith/rational';
export { drawLots, lotKey, SeededRandom } from './arith/prng';
export * from './types';
export { parseBlt, type BltContest } from './formats/blt';
export { parseCondorcetText, type CondorcetContest } from './formats/condorcet-text';
export { parsePyrankvoteCsv, OVERVOTE, UNDERVOTE } from './formats/pyrankvote-csv';
export { parseDebianTally } from './formats/debian-tally';
export { parseRctabCsv, UNDECLARED_WRITE_INS, type RctabCsvOptions } from './formats/rctab-csv';
export { parseCsv } from './formats/csv';
export { FormatError } from './formats/format-error';
export { parseContestJson } from './formats/contest-json';
export { parseRankedCsv } from './formats/ranked-csv';
export { canonicalJson, digest } from './digest';
