/** A contest the engine cannot count as given (bad configuration, not a bad ballot). */
export class TallyInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TallyInputError';
  }
}
