import { Controller, Get, Param, ParseUUIDPipe, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AWARD_ROUND_CONTEST } from 'src/awards/rounds.service';
import { Public } from 'src/common/auth/policy.decorators';
import { ELECTION_CONTEST } from 'src/elections/elections.service';
import {
  EditionResultsResponseDto,
  MeetingResultsResponseDto,
  NoticeResponseDto,
  PublicationResponseDto,
  PublicResultResponseDto,
  SigningKeyResponseDto,
  toEditionResultsResponse,
  toMeetingResultsResponse,
  toNoticeResponse,
  toPublicationResponse,
  toPublicResultResponse,
  toSigningKeyResponse,
} from './dto/results.dto';
import { PublicResultsService } from './public-results.service';
import { ResultExportsService } from './result-exports.service';

const UUID = new ParseUUIDPipe({ version: '4' });
const BUNDLE_DESCRIPTION =
  'The audit bundle, frozen at certification: check it with `npm run verify -- <file>`';

/** No login: published results, their exports and audit bundles, and the key that signs them. */
@ApiTags('public results')
@Controller('public')
@Public()
export class PublicResultsController {
  constructor(
    private readonly results: PublicResultsService,
    private readonly exports: ResultExportsService,
  ) {}

  @Get('signing-key')
  @ApiOkResponse({ type: SigningKeyResponseDto })
  signingKey(): SigningKeyResponseDto {
    return toSigningKeyResponse(this.results.signingKey());
  }

  @Get('results/elections/:id')
  @ApiOkResponse({ type: PublicResultResponseDto })
  async election(@Param('id', UUID) id: string): Promise<PublicResultResponseDto> {
    return toPublicResultResponse(await this.results.result(ELECTION_CONTEST, id));
  }

  @Get('results/elections/:id/bundle')
  @ApiProduces('application/json')
  @ApiOkResponse({ description: BUNDLE_DESCRIPTION })
  electionBundle(@Param('id', UUID) id: string): Promise<StreamableFile> {
    return this.exports.bundle(ELECTION_CONTEST, id);
  }

  @Get('results/elections/:id/csv')
  @ApiProduces('text/csv')
  electionCsv(@Param('id', UUID) id: string): Promise<StreamableFile> {
    return this.exports.csv(ELECTION_CONTEST, id);
  }

  @Get('results/elections/:id/pdf')
  @ApiProduces('application/pdf')
  electionPdf(@Param('id', UUID) id: string): Promise<StreamableFile> {
    return this.exports.contestPdf(ELECTION_CONTEST, id);
  }

  @Get('results/meetings/:id')
  @ApiOkResponse({ type: MeetingResultsResponseDto })
  async meeting(@Param('id', UUID) id: string): Promise<MeetingResultsResponseDto> {
    return toMeetingResultsResponse(await this.results.meetingResults(id));
  }

  @Get('results/meetings/:id/pdf')
  @ApiProduces('application/pdf')
  meetingPdf(@Param('id', UUID) id: string): Promise<StreamableFile> {
    return this.exports.meetingPdf(id);
  }

  @Get('results/award-rounds/:id')
  @ApiOkResponse({ type: PublicResultResponseDto })
  async awardRound(@Param('id', UUID) id: string): Promise<PublicResultResponseDto> {
    return toPublicResultResponse(await this.results.result(AWARD_ROUND_CONTEST, id));
  }

  @Get('results/award-rounds/:id/bundle')
  @ApiProduces('application/json')
  @ApiOkResponse({ description: BUNDLE_DESCRIPTION })
  awardRoundBundle(@Param('id', UUID) id: string): Promise<StreamableFile> {
    return this.exports.bundle(AWARD_ROUND_CONTEST, id);
  }

  @Get('results/award-rounds/:id/csv')
  @ApiProduces('text/csv')
  awardRoundCsv(@Param('id', UUID) id: string): Promise<StreamableFile> {
    return this.exports.csv(AWARD_ROUND_CONTEST, id);
  }

  @Get('results/editions/:id')
  @ApiOkResponse({ type: EditionResultsResponseDto })
  async edition(@Param('id', UUID) id: string): Promise<EditionResultsResponseDto> {
    return toEditionResultsResponse(await this.results.editionResults(id));
  }

  @Get('results/editions/:id/pdf')
  @ApiProduces('application/pdf')
  editionPdf(@Param('id', UUID) id: string): Promise<StreamableFile> {
    return this.exports.editionPdf(id);
  }

  @Get('publications/:id/manifest')
  @ApiOkResponse({ type: PublicationResponseDto })
  async manifest(@Param('id', UUID) id: string): Promise<PublicationResponseDto> {
    return toPublicationResponse(await this.results.manifest(id));
  }

  @Get('notices')
  @ApiOkResponse({ type: [NoticeResponseDto] })
  async notices(): Promise<NoticeResponseDto[]> {
    return (await this.results.notices()).map(toNoticeResponse);
  }
}
