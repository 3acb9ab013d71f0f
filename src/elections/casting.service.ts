import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AuthUser } from 'src/common/auth/auth-user';
import { canonicalJson, sha256Hex } from 'src/common/canonical-json';
import { sessionEnded } from 'src/auth/auth.exception';
import { InjectConfig } from 'src/config/config.module';
import type { Config } from 'src/config/config.types';
import { pgErrorCode } from 'src/database/database';
import { merkleProof, ProofStep } from 'src/tallying/merkle';
import { sealBallot } from './ballot-sealing';
import { BallotsRepository, CastOutcome, ParticipantRow } from './ballots.repository';
import { CandidatesRepository } from './candidates.repository';
import type { CastBallotDto } from './dto/ballot.dto';
import type { ElectionEntity } from './entities/election.entity';
import { toEngineBallot } from './election-rules';
import { ElectionsErrorCode, ElectionsException } from './elections.exception';
import { ElectionsRepository } from './elections.repository';
import { RollRow, VoterRollRepository } from './voter-roll.repository';

/** Who casts: the user, and the session and token version the casting statement checks. */
export interface Voter {
  id: string;
  sessionId: string;
  tokenVersion: number;
}

export interface CastReceipt {
  receipt: string;
  nonce: string;
  electionId: string;
  ballot: Record<string, unknown>;
}

export interface ReceiptProof {
  electionId: string;
  receipt: string;
  included: true;
  merkleRoot: string;
  leafIndex: number;
  leafCount: number;
  path: ProofStep[];
  tree: string;
}

type BallotDefinition = ElectionEntity & { candidateIds: string[] };

const DEFINITION_CACHE_SIZE = 200;

export const MERKLE_TREE_RULE =
  'SHA-256; receipts sorted ascending; leaf = H(0x00 || receipt bytes); node = H(0x01 || left || right); an unpaired node is promoted unchanged';

/** The voter's side: casting a secret ballot, the roll status, receipt proofs, who took part. */
@Injectable()
export class CastingService {
  private readonly nonceKey: Buffer;
  private readonly definitions = new Map<string, BallotDefinition>();

  constructor(
    @InjectConfig() config: Config,
    private readonly elections: ElectionsRepository,
    private readonly candidates: CandidatesRepository,
    private readonly roll: VoterRollRepository,
    private readonly ballots: BallotsRepository,
  ) {
    this.nonceKey = createHmac('sha256', config.auth.jwtSecret)
      .update('cast-idempotency-nonce')
      .digest();
  }

  /**
   * Seals the ballot to the election's key, then stores the participation and the sealed ballot in
   * one atomic statement that share-locks the election
   * row (a close waits for it, or it sees the election closed), re-checks the window and the roll
   * entry, and inserts both rows; the participation's primary key refuses a second vote, concurrent
   * ones included. The ballot carries nothing that points back at the voter. Any refusal stores
   * nothing. Casting is the hot path, hence one round trip in all: the same statement checks that
   * the caller's session is live, which the access guard left to it.
   */
  async cast(
    caller: Voter,
    electionId: string,
    dto: CastBallotDto,
    idempotencyKey?: string,
    now = new Date(),
  ): Promise<CastReceipt> {
    const election = await this.ballotDefinition(electionId);
    this.checkWindow(election, now);
    const content = toEngineBallot(
      election,
      election.candidateIds,
      dto.ballot,
      election.blankAllowed,
    ) as unknown as Record<string, unknown>;
    const nonce =
      idempotencyKey === undefined
        ? randomBytes(32).toString('hex')
        : this.retryNonce(caller, electionId, dto, idempotencyKey);
    const receipt = sha256Hex(canonicalJson({ electionId, ballot: content, nonce }));
    // Sealed here, before anything reaches SQL or a log: the row stored beside the voter's
    // participation can be opened only with the election's key.
    const sealed = sealBallot({ ballot: content, nonce }, election.ballotPublicKey!);
    let outcome: CastOutcome;
    try {
      outcome = await this.ballots.castSecretly({
        electionId,
        memberId: dto.memberId ?? null,
        voterUserId: caller.id,
        sessionId: caller.sessionId,
        tokenVersion: caller.tokenVersion,
        ballotId: randomUUID(),
        sealed,
        receipt,
      });
    } catch (error) {
      if (pgErrorCode(error) === '23505') {
        if (
          idempotencyKey !== undefined &&
          (await this.ballots.receiptExists(electionId, receipt))
        ) {
          // The same request again (a client retry): the first one was stored, so answer as it was.
          return { receipt, nonce, electionId, ballot: content };
        }
        throw new ElectionsException(
          ElectionsErrorCode.AlreadyVoted,
          'This member has already voted in this election',
        );
      }
      throw error;
    }
    if (outcome === 'signed_out') {
      throw sessionEnded();
    }
    if (outcome === 'closed') {
      throw new ElectionsException(ElectionsErrorCode.VotingClosed, 'Voting has closed');
    }
    if (outcome === 'choose_member') {
      // Rare, so the list of the caller's members is only read here.
      const entries = await this.roll.findActiveForVoter(electionId, caller.id);
      throw new ElectionsException(
        ElectionsErrorCode.ChooseMember,
        'You vote for several members: give memberId',
        { memberIds: entries.map((e) => e.memberId) },
      );
    }
    if (outcome === 'not_on_roll') {
      throw new ElectionsException(
        ElectionsErrorCode.NotOnRoll,
        'You are not on the voter roll of this election',
      );
    }
    return { receipt, nonce, electionId, ballot: content };
  }

  /**
   * What a ballot is checked against. Once an election has left draft its configuration and
   * candidates can no longer change, so they are kept in memory; the status is always re-checked
   * by the casting statement itself.
   */
  private async ballotDefinition(electionId: string): Promise<BallotDefinition> {
    const cached = this.definitions.get(electionId);
    if (cached) {
      return cached;
    }
    const election = await this.elections.findById(electionId);
    if (!election) {
      throw new ElectionsException(ElectionsErrorCode.NotFound, 'Election not found');
    }
    if (!election.ballotPublicKey) {
      throw new ElectionsException(ElectionsErrorCode.CustodyNotReady, 'The election has no key');
    }
    const definition: BallotDefinition = {
      ...election,
      candidateIds: (await this.candidates.findStanding(electionId)).map((c) => c.id),
    };
    if (election.status !== 'draft') {
      if (this.definitions.size >= DEFINITION_CACHE_SIZE) {
        this.definitions.delete(this.definitions.keys().next().value!);
      }
      this.definitions.set(electionId, definition);
    }
    return definition;
  }

  /**
   * With an Idempotency-Key the nonce is derived (keyed HMAC over election, caller, member and key)
   * instead of drawn, so a resent request yields the same receipt and is recognised without
   * storing anything that ties a voter to a ballot. Without the server key and the client's key
   * the nonce is as unpredictable as a random one.
   */
  private retryNonce(caller: Voter, electionId: string, dto: CastBallotDto, key: string): string {
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(key)) {
      throw new ElectionsException(
        ElectionsErrorCode.InvalidIdempotencyKey,
        'Idempotency-Key must be 16 to 128 characters of A-Z, a-z, 0-9, "-" or "_"',
      );
    }
    return createHmac('sha256', this.nonceKey)
      .update(canonicalJson({ electionId, userId: caller.id, memberId: dto.memberId ?? null, key }))
      .digest('hex');
  }

  /** Whether the caller is on the roll, and for which members. */
  async myRoll(
    caller: AuthUser,
    electionId: string,
  ): Promise<{ onRoll: boolean; entries: RollRow[] }> {
    await this.election(electionId);
    const entries = await this.roll.findRowsForVoter(electionId, caller.id);
    return { onRoll: entries.some((e) => !e.removedAt), entries };
  }

  /** Who voted (never how); members may see it. */
  async participants(electionId: string): Promise<ParticipantRow[]> {
    await this.election(electionId);
    return this.ballots.findParticipants(electionId);
  }

  /** The Merkle path from a receipt to the root fixed at close; anyone holding the receipt may ask. */
  async proof(electionId: string, receipt: string): Promise<ReceiptProof> {
    const election = await this.election(electionId);
    if (election.status !== 'closed' && election.status !== 'tallied') {
      throw new ElectionsException(
        ElectionsErrorCode.WrongStatus,
        'Receipts can be checked once the election is closed',
      );
    }
    const receipts = await this.ballots.findReceipts(electionId);
    const proof = merkleProof(receipts, receipt.toLowerCase());
    if (!proof) {
      throw new ElectionsException(
        ElectionsErrorCode.ReceiptNotFound,
        'No ballot with this receipt in this election',
      );
    }
    return {
      electionId,
      receipt: receipt.toLowerCase(),
      included: true,
      merkleRoot: election.merkleRoot!,
      leafIndex: proof.index,
      leafCount: receipts.length,
      path: proof.path,
      tree: MERKLE_TREE_RULE,
    };
  }

  private async election(id: string): Promise<ElectionEntity> {
    const election = await this.elections.findById(id);
    if (!election) {
      throw new ElectionsException(ElectionsErrorCode.NotFound, 'Election not found');
    }
    return election;
  }

  /** Voting runs from the opening until `closesAt` (exclusive), or until an admin closes it. */
  private checkWindow(election: ElectionEntity, now: Date): void {
    if (election.status !== 'open') {
      throw new ElectionsException(
        ElectionsErrorCode.VotingClosed,
        `Voting is not open (the election is ${election.status})`,
      );
    }
    if (election.closesAt && now.getTime() >= election.closesAt.getTime()) {
      throw new ElectionsException(ElectionsErrorCode.VotingClosed, 'Voting has closed');
    }
  }
}
