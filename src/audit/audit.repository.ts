import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm';
import { Database } from 'src/database/database';
import { AuditEventEntity } from './entities/audit-event.entity';

export interface AuditListFilter {
  subjectType?: string;
  subjectId?: string;
  action?: string;
  afterSeq?: string;
  limit: number;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly db: Database) {}

  private get repo() {
    return this.db.manager.getRepository(AuditEventEntity);
  }

  async findHead(): Promise<{ seq: string; hash: string } | null> {
    const rows = await this.repo.find({ select: { seq: true, hash: true }, order: { seq: 'DESC' }, take: 1 });
    return rows[0] ?? null;
  }

  async insert(event: AuditEventEntity): Promise<void> {
    await this.repo.insert(event as QueryDeepPartialEntity<AuditEventEntity>);
  }

  async findPage(filter: AuditListFilter): Promise<AuditEventEntity[]> {
    const qb = this.repo.createQueryBuilder('e').orderBy('e.seq', 'ASC').take(filter.limit);
    if (filter.afterSeq !== undefined) {
      qb.andWhere('e.seq > :after', { after: filter.afterSeq });
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
