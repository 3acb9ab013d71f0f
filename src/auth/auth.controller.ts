import { Body, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from 'src/common/auth/auth-user';
import { Authenticated, CurrentUser, Public } from 'src/common/auth/policy.decorators';
import { AuthService } from './auth.service';
import {
  ChangePasswordDto,
  LoginDto,
  MeResponseDto,
  RefreshDto,
  TokenResponseDto,
} from './dto/auth.dto';
import type { UserEntity } from './entities/user.entity';
import { LocalAuthGuard } from './guards';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @UseGuards(LocalAuthGuard)
  @ApiOkResponse({ type: TokenResponseDto })
  login(
    @Body() _body: LoginDto,
    @Req() request: FastifyRequest & { user: UserEntity },
  ): Promise<TokenResponseDto> {
    return this.auth.login(request.user, request.ip);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponseDto })
  refresh(@Body() body: RefreshDto): Promise<TokenResponseDto> {
    return this.auth.refresh(body.refreshToken);
  }

  @Post('logout')
  @Authenticated()
  @HttpCode(204)
  @ApiBearerAuth()
  logout(@CurrentUser() caller: AuthUser): Promise<void> {
    return this.auth.logout(caller);
  }

  @Post('password')
  @Authenticated()
  @HttpCode(204)
  @ApiBearerAuth()
  changePassword(@CurrentUser() caller: AuthUser, @Body() body: ChangePasswordDto): Promise<void> {
    return this.auth.changePassword(caller, body.currentPassword, body.newPassword);
  }

  @Get('me')
  @Authenticated()
  @ApiBearerAuth()
  @ApiOkResponse({ type: MeResponseDto })
  me(@CurrentUser() caller: AuthUser): MeResponseDto {
    return { id: caller.id, email: caller.email, role: caller.role };
  }
}
