import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from 'src/common/auth/auth-user';
import { CurrentUser, Public, Roles } from 'src/common/auth/policy.decorators';
import { ReasonDto } from './dto/jury.dto';
import {
  ConsentAnswerDto,
  ConsentRequestResponseDto,
  ConsentViewDto,
  CreateNominationDto,
  MergeNomineeDto,
  NominationResponseDto,
  NomineeResponseDto,
  toNominationResponse,
  toNomineeResponse,
} from './dto/nomination.dto';
import { NominationsService } from './nominations.service';

const UUID = new ParseUUIDPipe({ version: '4' });

@ApiTags('awards')
@ApiBearerAuth()
@Controller('awards')
export class NominationsController {
  constructor(private readonly nominations: NominationsService) {}

  @Post('categories/:id/nominations')
  @Roles('member')
  @ApiOkResponse({ type: NominationResponseDto })
  async nominate(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: CreateNominationDto,
  ): Promise<NominationResponseDto> {
    return toNominationResponse(await this.nominations.nominate(caller, id, body));
  }

  @Get('nominations/mine')
  @Roles('member')
  @ApiOkResponse({ type: [NominationResponseDto] })
  async mine(@CurrentUser() caller: AuthUser): Promise<NominationResponseDto[]> {
    return (await this.nominations.mine(caller)).map(toNominationResponse);
  }

  @Post('nominations/:id/withdraw')
  @Roles('member')
  @HttpCode(200)
  @ApiOkResponse({ type: NominationResponseDto })
  async withdraw(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
  ): Promise<NominationResponseDto> {
    return toNominationResponse(await this.nominations.withdraw(caller, id));
  }

  @Get('categories/:id/nominees')
  @Roles('admin')
  @ApiOkResponse({ type: [NomineeResponseDto] })
  async screeningList(@Param('id', UUID) id: string): Promise<NomineeResponseDto[]> {
    const { nominees, nominations } = await this.nominations.screeningList(id);
    return nominees.map((n) => toNomineeResponse(n, nominations));
  }

  @Post('nominees/:id/merge')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: NomineeResponseDto })
  async merge(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: MergeNomineeDto,
  ): Promise<NomineeResponseDto> {
    const target = await this.nominations.merge(caller, id, body.intoNomineeId);
    return this.nominee(target.id);
  }

  @Post('nominees/:id/accept')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: NomineeResponseDto })
  async accept(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
  ): Promise<NomineeResponseDto> {
    await this.nominations.accept(caller, id);
    return this.nominee(id);
  }

  @Post('nominees/:id/reject')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: NomineeResponseDto })
  async reject(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: ReasonDto,
  ): Promise<NomineeResponseDto> {
    await this.nominations.reject(caller, id, body.reason);
    return this.nominee(id);
  }

  @Post('nominees/:id/consent-request')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: ConsentRequestResponseDto })
  async requestConsent(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
  ): Promise<ConsentRequestResponseDto> {
    const { nominee, token } = await this.nominations.requestConsent(caller, id);
    return { nomineeId: nominee.id, token, path: `/api/v1/awards/consent/${token}` };
  }

  @Get('consent/:token')
  @Public()
  @ApiOkResponse({ type: ConsentViewDto })
  async consentView(@Param('token') token: string): Promise<ConsentViewDto> {
    const { nominee, category } = await this.nominations.consentView(token);
    return {
      nomineeName: nominee.name,
      categoryTitle: category.title,
      consentStatus: nominee.consentStatus,
    };
  }

  @Post('consent/:token')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: ConsentViewDto })
  async answerConsent(
    @Param('token') token: string,
    @Body() body: ConsentAnswerDto,
  ): Promise<ConsentViewDto> {
    await this.nominations.answerConsent(token, body.decision);
    return this.consentView(token);
  }

  private async nominee(id: string): Promise<NomineeResponseDto> {
    const { nominee, nominations } = await this.nominations.nomineeWithNominations(id);
    return toNomineeResponse(nominee, nominations);
  }
}
