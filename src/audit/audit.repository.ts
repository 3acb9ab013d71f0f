import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm';
import { Database } from 'src/database/database';
import { AuditEventEntity } from './entities/audit-event.entity';

export interface AuditListFilter {
  subjectType?: string;
  subjectId?: string;
  action?: string;
  afterSeq?: string;
  /** Only events up to and including this sequence number. */
  untilSeq?: string;
  limit: number;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(AuditEventEntity);
  }

  async findHead(): Promise<{ seq: string; hash: string } | null> {
    const rows = await this.repo.find({
      select: { seq: true, hash: true },
      order: { seq: 'DESC' },
      take: 1,
    });
    return rows[0] ?? null;
  }

  /** The last event of one subject, whose hash the subject's next event names. */
  async findSubjectHead(subjectType: string, subjectId: string | null): Promise<string | null> {
    const qb = this.repo
      .createQueryBuilder('e')
      .select('e.hash', 'hash')
      .where('e.subject_type = :subjectType', { subjectType })
      .orderBy('e.seq', 'DESC')
      .limit(1);
    if (subjectId === null) {
      qb.andWhere('e.subject_id IS NULL');
    } else {
      qb.andWhere('e.subject_id = :subjectId', { subjectId });
    }
    const row = await qb.getRawOne<{ hash: string }>();
    return row?.hash ?? null;
  }

  async insert(event: AuditEventEntity): Promise<void> {
    await this.repo.insert(event as QueryDeepPartialEntity<AuditEventEntity>);
  }

  async findPage(filter: AuditListFilter): Promise<AuditEventEntity[]> {
    const qb = this.repo.createQueryBuilder('e').orderBy('e.seq', 'ASC').take(filter.limit);
    if (filter.afterSeq !== undefined) {
      qb.andWhere('e.seq > :after', { after: filter.afterSeq });
    }
    if (filter.untilSeq !== undefined) {
      qb.andWhere('e.seq <= :until', { until: filter.untilSeq });
    }
    if (filter.subjectType !== undefined) {
      qb.andWhere('e.subject_type = :type', { type: filter.subjectType });
    }
    if (filter.subjectId !== undefined) {
      qb.andWhere('e.subject_id = :id', { id: filter.subjectId });
    }
    if (filter.action !== undefined) {
      qb.andWhere('e.action = :action', { action: filter.action });
    }
    return qb.getMany();
  }

  async findBatchInOrder(afterSeq: string | null, size: number): Promise<AuditEventEntity[]> {
    const qb = this.repo.createQueryBuilder('e').orderBy('e.seq', 'ASC').take(size);
    if (afterSeq !== null) {
      qb.where('e.seq > :after', { after: afterSeq });
    }
    return qb.getMany();
  }
}
