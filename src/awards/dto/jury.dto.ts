import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { IsId, IsOptionalNotNull, IsText } from 'src/common/validation/validators';
import {
  JURY_ROLES,
  JuryAssignmentEntity,
  JuryRole,
} from 'src/awards/entities/jury-assignment.entity';
import type { AwardCategoryEntity } from 'src/awards/entities/award-category.entity';
import type { AwardNomineeEntity } from 'src/awards/entities/award-nominee.entity';
import {
  CONFLICT_SOURCES,
  CONFLICT_STATUSES,
  CONFLICT_TYPES,
  ConflictSource,
  ConflictStatus,
  ConflictType,
  JuryConflictEntity,
} from 'src/awards/entities/jury-conflict.entity';

import { CategoryResponseDto, toCategoryResponse } from './edition.dto';
import { JurorNomineeDto, toJurorNominee } from './nomination.dto';

export class AssignJurorDto {
  @IsId()
  userId!: string;

  @ApiPropertyOptional({ enum: JURY_ROLES, default: 'juror' })
  @IsOptionalNotNull()
  @IsIn(JURY_ROLES)
  role?: JuryRole;

  @IsText(200, { optional: true })
  organisation?: string;
}

export class AssignmentResponseDto {
  id!: string;
  categoryId!: string;
  userId!: string;
  @ApiProperty({ enum: JURY_ROLES })
  role!: JuryRole;
  organisation!: string | null;
}

export function toAssignmentResponse(a: JuryAssignmentEntity): AssignmentResponseDto {
  return {
    id: a.id,
    categoryId: a.categoryId,
    userId: a.userId,
    role: a.role,
    organisation: a.organisation,
  };
}

export class DeclareConflictDto {
  @IsId()
  nomineeId!: string;

  @ApiProperty({ enum: CONFLICT_TYPES })
  @IsIn(CONFLICT_TYPES)
  type!: ConflictType;

  @IsText(2000, { optional: true })
  note?: string;
}

export class ReasonDto {
  @IsText(2000)
  reason!: string;
}

export class ConflictResponseDto {
  id!: string;
  categoryId!: string;
  userId!: string;
  nomineeId!: string;
  @ApiProperty({ enum: CONFLICT_TYPES })
  type!: ConflictType;
  @ApiProperty({ enum: CONFLICT_SOURCES })
  source!: ConflictSource;
  note!: string | null;
  @ApiProperty({ enum: CONFLICT_STATUSES })
  status!: ConflictStatus;
  dismissedReason!: string | null;
}

export function toConflictResponse(c: JuryConflictEntity): ConflictResponseDto {
  return {
    id: c.id,
    categoryId: c.categoryId,
    userId: c.userId,
    nomineeId: c.nomineeId,
    type: c.type,
    source: c.source,
    note: c.note,
    status: c.status,
    dismissedReason: c.dismissedReason,
  };
}

export class JurorCategoryDto {
  category!: CategoryResponseDto;
  @ApiProperty({ enum: JURY_ROLES })
  role!: string;
  @ApiProperty({ type: [JurorNomineeDto], description: 'Nominees minus your conflicts' })
  nominees!: JurorNomineeDto[];
}

export function toJurorCategory(c: {
  category: AwardCategoryEntity;
  role: string;
  nominees: AwardNomineeEntity[];
}): JurorCategoryDto {
  return {
    category: toCategoryResponse(c.category),
    role: c.role,
    nominees: c.nominees.map(toJurorNominee),
  };
}
