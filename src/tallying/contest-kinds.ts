/** The kinds of contest the tallying counts; each module registers its source under its kind. */
export const ELECTION_CONTEST = 'election';
