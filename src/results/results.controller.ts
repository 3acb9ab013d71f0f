import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from 'src/common/auth/auth-user';
import { CurrentUser, Roles } from 'src/common/auth/policy.decorators';
import {
  CertifyResultDto,
  PublicationResponseDto,
  ResultStatusResponseDto,
  RetallyResponseDto,
  toPublicationResponse,
  toStatusResponse,
  WithdrawPublicationDto,
} from './dto/results.dto';
import { PublicationService } from './publication.service';

const UUID = new ParseUUIDPipe({ version: '4' });

/** Admin side of results: review, certify (with an embargo), re-tally, withdraw. */
@ApiTags('results')
@ApiBearerAuth()
@Controller('results')
export class ResultsController {
  constructor(private readonly publications: PublicationService) {}

  @Get(':kind/:contestId')
  @Roles('admin')
  @ApiOkResponse({ type: ResultStatusResponseDto })
  async status(
    @Param('kind') kind: string,
    @Param('contestId', UUID) contestId: string,
  ): Promise<ResultStatusResponseDto> {
    return toStatusResponse(await this.publications.status(kind, contestId));
  }

  @Post(':kind/:contestId/certify')
  @Roles('admin')
  @ApiOkResponse({ type: PublicationResponseDto })
  async certify(
    @CurrentUser() caller: AuthUser,
    @Param('kind') kind: string,
    @Param('contestId', UUID) contestId: string,
    @Body() body: CertifyResultDto,
  ): Promise<PublicationResponseDto> {
    const embargo = body.embargoUntil ? new Date(body.embargoUntil) : undefined;
    return toPublicationResponse(await this.publications.certify(caller, kind, contestId, embargo));
  }

  @Post(':kind/:contestId/retally')
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({ type: RetallyResponseDto })
  retally(
    @CurrentUser() caller: AuthUser,
    @Param('kind') kind: string,
    @Param('contestId', UUID) contestId: string,
  ): Promise<RetallyResponseDto> {
    return this.publications.retally(caller, kind, contestId);
  }

  @Post('publications/:id/withdraw')
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({ type: PublicationResponseDto })
  async withdraw(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: WithdrawPublicationDto,
  ): Promise<PublicationResponseDto> {
    return toPublicationResponse(await this.publications.withdraw(caller, id, body.reason));
  }
}
