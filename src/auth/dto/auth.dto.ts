import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, MaxLength } from 'class-validator';
import { IsEmailAddress } from 'src/common/validation/validators';
import type { TokenPair } from 'src/auth/auth.service';
import type { AuthUser } from 'src/common/auth/auth-user';

export class LoginDto {
  @IsEmailAddress()
  email!: string;

  @ApiProperty({ maxLength: 200 })
  @IsString()
  @Length(1, 200)
  password!: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @MaxLength(200)
  refreshToken!: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  currentPassword!: string;

  @ApiProperty({ minLength: 12, maxLength: 200 })
  @IsString()
  @Length(12, 200)
  newPassword!: string;
}

export class TokenResponseDto implements TokenPair {
  @ApiProperty() accessToken!: string;
  @ApiProperty() refreshToken!: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'Access token lifetime in seconds' }) expiresIn!: number;
}

export class MeResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ enum: ['admin', 'jury', 'member'] }) role!: AuthUser['role'];
}
