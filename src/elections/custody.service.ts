import { Injectable, Logger } from '@nestjs/common';
import { Actor, AuditService, SYSTEM } from 'src/audit/audit.service';
import type { AuthUser } from 'src/common/auth/auth-user';
import { canonicalJson, sha256Hex } from 'src/common/canonical-json';
import { Database } from 'src/database/database';
import { ELECTION_CONTEST } from 'src/tallying/contest-kinds';
import { TallyingService } from 'src/tallying/tallying.service';
import {
  combineShares,
  forget,
  newElectionKeyPair,
  openBallot,
  parseShareText,
  publicKeyOf,
  shareDigest,
  shareText,
  splitKey,
  unwrapSecret,
  wrapSecret,
  type ElectionKeyPair,
} from './ballot-sealing';
import { BallotKeyService } from './ballot-key.service';
import type { SealedRow } from './ballots.repository';
import { BallotsRepository } from './ballots.repository';
import { CustodyRepository, ShareHolderRow } from './custody.repository';
import type { SetCustodyDto, SubmitShareDto } from './dto/custody.dto';
import type { ElectionEntity } from './entities/election.entity';
import { CountedContent, groupByContent } from './election-ballots';
import { ElectionsErrorCode, ElectionsException } from './elections.exception';
import { ElectionsRepository } from './elections.repository';

export const MAX_COMMISSION = 20;

export type CustodyState =
  'awaiting_collection' | 'ready' | 'awaiting_shares' | 'opened' | 'key_destroyed';

export interface CustodyStatus {
  electionId: string;
  mode: ElectionEntity['custody'];
  state: CustodyState;
  threshold: number | null;
  sharesSubmitted: number;
  holders: ShareHolderRow[];
  keyDestroyedAt: Date | null;
}

export interface CollectedShare {
  electionId: string;
  office: string;
  holderIndex: number;
  threshold: number;
  holders: number;
  share: string;
}

function userActor(caller: AuthUser): Actor {
  return { kind: 'user', id: caller.id };
}

/**
 * Who holds the key that opens an election's sealed ballots, and the opening itself. `custodial`:
 * the secret key is stored wrapped under the server key and destroyed at certification.
 * `commission`: the key is split k-of-n among the counting commission at set-up, each member
 * collects their share once and the server keeps none; after the close k members hand their shares
 * back, and only the tally job puts the key together, in its memory, to open the ballots.
 */
@Injectable()
export class CustodyService {
  private readonly logger = new Logger(CustodyService.name);

  constructor(
    private readonly db: Database,
    private readonly elections: ElectionsRepository,
    private readonly shares: CustodyRepository,
    private readonly ballots: BallotsRepository,
    private readonly serverKey: BallotKeyService,
    private readonly tallying: TallyingService,
    private readonly audit: AuditService,
  ) {}

  /** A new election's key, held in custody until the secretary chooses otherwise. */
  async createCustodialKey(electionId: string): Promise<void> {
    const keys = newElectionKeyPair();
    try {
      await this.elections.updateKeys(electionId, {
        custody: 'custodial',
        ballotPublicKey: keys.publicKey,
        wrappedBallotKey: wrapSecret(
          keys.secretKey,
          this.serverKey.serverKey(),
          'election-key',
          electionId,
        ),
        commissionThreshold: null,
      });
    } finally {
      forget(keys.secretKey);
    }
  }

  /** Chooses the custody while the election is a draft; a new key replaces the old one and its shares. */
  async setCustody(caller: AuthUser, id: string, dto: SetCustodyDto): Promise<CustodyStatus> {
    await this.db.transaction(async () => {
      await this.db.lock('election', id);
      const election = await this.draft(id);
      if (dto.mode === 'custodial') {
        await this.shares.replaceShares(id, []);
        await this.createCustodialKey(id);
        await this.audit.record({
          actor: userActor(caller),
          action: 'election.custody_set',
          subjectType: 'election',
          subjectId: id,
          data: { mode: 'custodial' },
        });
        return;
      }
      const holders = dto.holders ?? [];
      const threshold = dto.threshold ?? 0;
      if (holders.length < 2 || holders.length > MAX_COMMISSION) {
        throw new ElectionsException(
          ElectionsErrorCode.InvalidConfiguration,
          `A counting commission has 2 to ${MAX_COMMISSION} members (holders)`,
        );
      }
      if (new Set(holders).size !== holders.length) {
        throw new ElectionsException(
          ElectionsErrorCode.InvalidConfiguration,
          'holders lists a user twice',
        );
      }
      if (threshold < 2 || threshold > holders.length) {
        throw new ElectionsException(
          ElectionsErrorCode.InvalidConfiguration,
          `threshold must be from 2 to the number of holders (${holders.length})`,
        );
      }
      const active = new Set(await this.shares.findActiveUsers(holders));
      const unknown = holders.filter((h) => !active.has(h));
      if (unknown.length > 0) {
        throw new ElectionsException(
          ElectionsErrorCode.InvalidConfiguration,
          `holders: no active user ${unknown.join(', ')}`,
        );
      }
      const keys = newElectionKeyPair();
      const server = this.serverKey.serverKey();
      try {
        const parts = await splitKey(keys.secretKey, holders.length, threshold);
        await this.shares.replaceShares(
          id,
          parts.map((share, i) => ({
            electionId: id,
            holderIndex: i + 1,
            userId: holders[i],
            shareDigest: shareDigest(share),
            wrappedShare: wrapSecret(share, server, 'commission-share', id),
          })),
        );
        parts.forEach(forget);
        await this.elections.updateKeys(id, {
          custody: 'commission',
          ballotPublicKey: keys.publicKey,
          wrappedBallotKey: null,
          commissionThreshold: threshold,
        });
      } finally {
        forget(keys.secretKey);
      }
      await this.audit.record({
        actor: userActor(caller),
        action: 'election.custody_set',
        subjectType: 'election',
        subjectId: id,
        data: {
          mode: 'commission',
          threshold,
          holders: holders.map((userId, i) => ({ index: i + 1, userId })),
          previous: election.custody,
        },
      });
    });
    return this.status(id);
  }

  async status(id: string): Promise<CustodyStatus> {
    const election = await this.get(id);
    const holders = election.custody === 'commission' ? await this.shares.findHolders(id) : [];
    const sharesSubmitted = holders.filter((h) => h.submittedAt).length;
    const opened = election.status === 'tallied' || (await this.ballots.findCounted(id)).length > 0;
    let state: CustodyState;
    if (election.keyDestroyedAt) {
      state = 'key_destroyed';
    } else if (opened) {
      state = 'opened';
    } else if (election.custody === 'commission' && holders.some((h) => !h.collectedAt)) {
      state = 'awaiting_collection';
    } else if (
      election.custody === 'commission' &&
      election.status === 'closed' &&
      sharesSubmitted < election.commissionThreshold!
    ) {
      state = 'awaiting_shares';
    } else {
      state = 'ready';
    }
    return {
      electionId: id,
      mode: election.custody,
      state,
      threshold: election.commissionThreshold,
      sharesSubmitted,
      holders,
      keyDestroyedAt: election.keyDestroyedAt,
    };
  }

  /** A commission member takes their share, once; from then on the server does not have it. */
  async collect(caller: AuthUser, id: string): Promise<CollectedShare> {
    return this.db.transaction(async () => {
      await this.db.lock('election', id);
      const election = await this.get(id);
      const row = await this.holderRow(election, caller);
      if (election.status !== 'draft') {
        throw new ElectionsException(
          ElectionsErrorCode.WrongStatus,
          'Shares are collected while the election is a draft',
        );
      }
      if (row.collectedAt || !row.wrappedShare) {
        throw new ElectionsException(
          ElectionsErrorCode.ShareAlreadyCollected,
          'You have already collected your share; the server no longer has it',
        );
      }
      const share = unwrapSecret(
        row.wrappedShare,
        this.serverKey.serverKey(),
        'commission-share',
        id,
      );
      if (!share) {
        throw new ElectionsException(
          ElectionsErrorCode.BallotsDoNotOpen,
          'The share cannot be unwrapped: the server key has changed since the set-up',
        );
      }
      const text = shareText(id, row.holderIndex, share);
      forget(share);
      await this.shares.markCollected(id, row.holderIndex, await this.db.clock());
      await this.audit.record({
        actor: userActor(caller),
        action: 'election.key_share_collected',
        subjectType: 'election',
        subjectId: id,
        data: { holderIndex: row.holderIndex },
      });
      return {
        electionId: id,
        office: election.office,
        holderIndex: row.holderIndex,
        threshold: election.commissionThreshold!,
        holders: (await this.shares.findHolders(id)).length,
        share: text,
      };
    });
  }

  /**
   * A commission member hands their share back after the close. A share that is not the one this
   * member was given is refused and the refusal is audited; the k-th good share starts the tally.
   */
  async submit(caller: AuthUser, id: string, dto: SubmitShareDto): Promise<CustodyStatus> {
    const refusal = await this.db.transaction(async () => {
      await this.db.lock('election', id);
      const election = await this.get(id);
      const row = await this.holderRow(election, caller);
      if (election.status !== 'closed' || (await this.ballots.hasCounted(id))) {
        throw new ElectionsException(
          ElectionsErrorCode.SharesNotNeeded,
          election.status === 'closed' || election.status === 'tallied'
            ? 'The ballots are already open: no more shares are needed'
            : `Shares are handed back after the close (the election is ${election.status})`,
        );
      }
      if (row.submittedAt) {
        throw new ElectionsException(
          ElectionsErrorCode.ShareAlreadySubmitted,
          'You have already handed back your share',
        );
      }
      const parsed = parseShareText(dto.share);
      const reason = !parsed
        ? 'share: not a key share (it starts with "abks1:")'
        : parsed.electionId !== id
          ? 'share: this share belongs to another election'
          : parsed.index !== row.holderIndex
            ? `share: this is share ${parsed.index}, not yours (${row.holderIndex})`
            : shareDigest(parsed.share) !== row.shareDigest
              ? 'share: it is not the share you were given'
              : null;
      if (reason || !parsed) {
        return { reason: reason!, holderIndex: row.holderIndex };
      }
      await this.shares.markSubmitted(
        id,
        row.holderIndex,
        wrapSecret(parsed.share, this.serverKey.serverKey(), 'commission-share', id),
        await this.db.clock(),
      );
      forget(parsed.share);
      const submitted = await this.shares.countSubmitted(id);
      await this.audit.record({
        actor: userActor(caller),
        action: 'election.key_share_submitted',
        subjectType: 'election',
        subjectId: id,
        data: { holderIndex: row.holderIndex, submitted, threshold: election.commissionThreshold },
      });
      if (submitted === election.commissionThreshold) {
        await this.tallying.enqueue({
          contestKind: ELECTION_CONTEST,
          contestId: id,
          inputDigest: election.closeSnapshot!.sealedDigest!,
        });
      }
      return null;
    });
    if (refusal) {
      await this.audit.record({
        actor: userActor(caller),
        action: 'election.key_share_refused',
        subjectType: 'election',
        subjectId: id,
        data: { holderIndex: refusal.holderIndex, reason: refusal.reason },
      });
      throw new ElectionsException(ElectionsErrorCode.WrongShare, refusal.reason);
    }
    return this.status(id);
  }

  /** Why the election cannot open yet, if it cannot: its key must be in place. */
  async checkReadyToOpen(election: ElectionEntity): Promise<void> {
    if (!election.ballotPublicKey) {
      throw new ElectionsException(ElectionsErrorCode.CustodyNotReady, 'The election has no key');
    }
    if (election.custody === 'commission') {
      const missing = await this.shares.countUncollected(election.id);
      if (missing > 0) {
        throw new ElectionsException(
          ElectionsErrorCode.CustodyNotReady,
          `${missing} of the counting commission's shares are not collected yet: the server still holds them`,
          { uncollected: missing },
        );
      }
    } else if (!election.wrappedBallotKey) {
      throw new ElectionsException(ElectionsErrorCode.CustodyNotReady, 'The election has no key');
    }
  }

  /** Whether the close can hand the tally its job at once (else the commission's shares start it). */
  canOpenAtClose(election: ElectionEntity, ballots: number): boolean {
    return election.custody === 'custodial' || ballots === 0;
  }

  /**
   * In the tally's transaction: puts the election key together, opens every sealed ballot, checks
   * each against its receipt, and stores the contents grouped and sorted in `counted_ballot`. The
   * key exists only in this function's memory and is wiped before it returns; a commission's
   * submitted shares are dropped with the same commit.
   */
  async openBallots(
    election: ElectionEntity,
    sealed: readonly SealedRow[],
  ): Promise<CountedContent[]> {
    const started = Date.now();
    const keys = await this.electionKey(election);
    let groups: CountedContent[];
    try {
      groups = groupByContent(this.opened(election.id, sealed, keys));
    } finally {
      forget(keys.secretKey);
    }
    await this.ballots.insertCounted(election.id, groups);
    if (election.custody === 'commission') {
      await this.shares.forgetSubmitted(election.id);
    }
    await this.audit.record({
      actor: SYSTEM,
      action: 'election.ballots_opened',
      subjectType: 'election',
      subjectId: election.id,
      data: { custody: election.custody, ballots: sealed.length, distinct: groups.length },
    });
    this.logger.log(
      {
        election: election.id,
        ballots: sealed.length,
        distinct: groups.length,
        ms: Date.now() - started,
      },
      'sealed ballots opened',
    );
    return groups;
  }

  private *opened(
    electionId: string,
    sealed: readonly SealedRow[],
    keys: ElectionKeyPair,
  ): Generator<{ content: Record<string, unknown>; weight: number }> {
    for (const row of sealed) {
      const content = openBallot(row.sealed, keys);
      if (
        !content ||
        sha256Hex(canonicalJson({ electionId, ballot: content.ballot, nonce: content.nonce })) !==
          row.receipt
      ) {
        throw new ElectionsException(
          ElectionsErrorCode.BallotsDoNotOpen,
          `The sealed ballot with receipt ${row.receipt} does not open to a ballot with that receipt`,
        );
      }
      yield { content: content.ballot, weight: row.weight };
    }
  }

  private async electionKey(election: ElectionEntity): Promise<ElectionKeyPair> {
    const server = this.serverKey.serverKey();
    const publicKey = election.ballotPublicKey!;
    if (election.custody === 'custodial') {
      const secretKey =
        election.wrappedBallotKey &&
        unwrapSecret(election.wrappedBallotKey, server, 'election-key', election.id);
      if (!secretKey) {
        throw new ElectionsException(
          ElectionsErrorCode.BallotsDoNotOpen,
          election.keyDestroyedAt
            ? 'The election key was destroyed at certification'
            : 'The election key cannot be unwrapped: the server key is not the one it was wrapped with',
        );
      }
      return { publicKey, secretKey };
    }
    const submitted = await this.shares.findSubmitted(election.id);
    if (submitted.length < election.commissionThreshold!) {
      throw new ElectionsException(
        ElectionsErrorCode.CustodyNotReady,
        `${submitted.length} of the ${election.commissionThreshold} shares needed have been handed back`,
      );
    }
    const parts = submitted.map((s) =>
      unwrapSecret(s.wrappedShare, server, 'commission-share', election.id),
    );
    if (parts.some((p) => p === null)) {
      throw new ElectionsException(
        ElectionsErrorCode.BallotsDoNotOpen,
        'A handed-back share cannot be unwrapped: the server key has changed',
      );
    }
    const secretKey = await combineShares(parts as Buffer[]);
    (parts as Buffer[]).forEach(forget);
    if (!publicKeyOf(secretKey).equals(publicKey)) {
      forget(secretKey);
      throw new ElectionsException(
        ElectionsErrorCode.BallotsDoNotOpen,
        'The handed-back shares do not rebuild the election key',
      );
    }
    return { publicKey, secretKey };
  }

  /** At certification: a custodial key is destroyed, so nothing can reopen the link to the voters. */
  async destroyKey(electionId: string): Promise<void> {
    const election = await this.get(electionId);
    if (election.keyDestroyedAt) {
      return;
    }
    if (election.custody === 'commission') {
      await this.shares.forgetSubmitted(electionId);
      return;
    }
    await this.elections.updateKeys(electionId, {
      wrappedBallotKey: null,
      keyDestroyedAt: await this.db.clock(),
    });
    await this.audit.record({
      actor: SYSTEM,
      action: 'election.key_destroyed',
      subjectType: 'election',
      subjectId: electionId,
      data: { custody: 'custodial' },
    });
  }

  private async holderRow(election: ElectionEntity, caller: AuthUser) {
    const row =
      election.custody === 'commission'
        ? await this.shares.findForHolder(election.id, caller.id)
        : null;
    if (!row) {
      throw new ElectionsException(
        ElectionsErrorCode.NotAHolder,
        "You are not a member of this election's counting commission",
      );
    }
    return row;
  }

  private async get(id: string): Promise<ElectionEntity> {
    const election = await this.elections.findById(id);
    if (!election) {
      throw new ElectionsException(ElectionsErrorCode.NotFound, 'Election not found');
    }
    return election;
  }

  private async draft(id: string): Promise<ElectionEntity> {
    const election = await this.get(id);
    if (election.status !== 'draft') {
      throw new ElectionsException(
        ElectionsErrorCode.ConfigurationFrozen,
        `The election is ${election.status}; its custody is fixed`,
      );
    }
    return election;
  }
}
