import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import {
  IsEmailAddress,
  IsOptionalNotNull,
  IsPageLimit,
  IsPageOffset,
  IsPatchBody,
  IsText,
} from 'src/common/validation/validators';
import { Role, ROLES, UserEntity, UserStatus, USER_STATUSES } from 'src/auth/entities/user.entity';

export class CreateUserDto {
  @IsEmailAddress()
  email!: string;

  @IsText(200)
  displayName!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiProperty({
    minLength: 12,
    maxLength: 200,
    description: 'Initial password; share it with the person securely',
  })
  @IsString()
  @Length(12, 200)
  password!: string;
}

@IsPatchBody()
export class UpdateUserDto {
  @IsText(200, { optional: true })
  displayName?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptionalNotNull()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ enum: USER_STATUSES })
  @IsOptionalNotNull()
  @IsIn(USER_STATUSES)
  status?: UserStatus;

  @ApiPropertyOptional({
    minLength: 12,
    maxLength: 200,
    description: 'Resets the password and ends every session',
  })
  @IsOptionalNotNull()
  @IsString()
  @Length(12, 200)
  password?: string;
}

export class ListUsersQueryDto {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @IsPageLimit(500, 50)
  limit?: number;

  @IsPageOffset()
  offset?: number;
}

export class UserResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ enum: USER_STATUSES }) status!: UserStatus;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastLoginAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class UserPageDto {
  @ApiProperty({ type: [UserResponseDto] }) items!: UserResponseDto[];
  @ApiProperty() total!: number;
}

export function toUserResponse(user: UserEntity): UserResponseDto {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    role: user.role,
    status: user.status,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  };
}
