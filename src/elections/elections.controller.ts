import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { AuthUser, SessionCallerClaims } from 'src/common/auth/auth-user';
import {
  Authenticated,
  AuthenticatedInStatement,
  CurrentUser,
  Public,
  Roles,
  SessionCaller,
} from 'src/common/auth/policy.decorators';
import { CastBallotDto, ReceiptProofDto, ReceiptResponseDto } from './dto/ballot.dto';
import { CastBallotBody } from './dto/cast-ballot.body';
import {
  AddCandidateDto,
  AddRollEntryDto,
  CandidateResponseDto,
  ConsentDto,
  CreateElectionDto,
  ElectionResponseDto,
  ListElectionsQueryDto,
  MyRollStatusDto,
  NominateCandidateDto,
  ParticipantResponseDto,
  RemoveRollEntryDto,
  RollEntryResponseDto,
  toCandidateResponse,
  toElectionResponse,
  toRollEntryResponse,
  UpdateElectionDto,
} from './dto/election.dto';
import {
  ElectionResultDto,
  ProtocolResponseDto,
  toProtocolResponse,
  toResultResponse,
} from './dto/results.dto';
import { CastLimitsGuard } from './cast-limits.guard';
import { CastingService } from './casting.service';
import { ElectionsService } from './elections.service';
import { ReceiptPipe } from './receipt.pipe';
import { ResultsService } from './results.service';

const UUID = new ParseUUIDPipe({ version: '4' });

@ApiTags('elections')
@ApiBearerAuth()
@Controller('elections')
export class ElectionsController {
  constructor(
    private readonly elections: ElectionsService,
    private readonly casting: CastingService,
    private readonly outcomes: ResultsService,
  ) {}

  @Get()
  @Authenticated()
  @ApiOkResponse({ type: [ElectionResponseDto] })
  async list(@Query() query: ListElectionsQueryDto): Promise<ElectionResponseDto[]> {
    return (await this.elections.list(query.meetingId)).map(([e, c]) => toElectionResponse(e, c));
  }

  @Get(':id')
  @Authenticated()
  @ApiOkResponse({ type: ElectionResponseDto })
  async get(@Param('id', UUID) id: string): Promise<ElectionResponseDto> {
    return toElectionResponse(...(await this.elections.getWithCandidates(id)));
  }

  @Post()
  @Roles('admin')
  @ApiOkResponse({ type: ElectionResponseDto })
  async create(
    @CurrentUser() caller: AuthUser,
    @Body() body: CreateElectionDto,
  ): Promise<ElectionResponseDto> {
    return toElectionResponse(await this.elections.create(caller, body), []);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ type: ElectionResponseDto })
  async update(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: UpdateElectionDto,
  ): Promise<ElectionResponseDto> {
    await this.elections.update(caller, id, body);
    return toElectionResponse(...(await this.elections.getWithCandidates(id)));
  }

  @Post(':id/candidates')
  @Roles('admin')
  @ApiOkResponse({ type: CandidateResponseDto })
  async addCandidate(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: AddCandidateDto,
  ): Promise<CandidateResponseDto> {
    return toCandidateResponse(await this.elections.addCandidate(caller, id, body));
  }

  @Post(':id/nominations')
  @Authenticated()
  @ApiOkResponse({ type: CandidateResponseDto })
  async nominate(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: NominateCandidateDto,
  ): Promise<CandidateResponseDto> {
    return toCandidateResponse(await this.elections.nominate(caller, id, body));
  }

  @Post(':id/candidates/:candidateId/consent')
  @Authenticated()
  @HttpCode(200)
  @ApiOkResponse({ type: CandidateResponseDto })
  async consent(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Param('candidateId', UUID) candidateId: string,
    @Body() body: ConsentDto,
  ): Promise<CandidateResponseDto> {
    return toCandidateResponse(
      await this.elections.answerNomination(caller, id, candidateId, body),
    );
  }

  @Post(':id/candidates/:candidateId/withdraw')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: CandidateResponseDto })
  async withdraw(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Param('candidateId', UUID) candidateId: string,
  ): Promise<CandidateResponseDto> {
    return toCandidateResponse(await this.elections.withdrawCandidate(caller, id, candidateId));
  }

  @Post(':id/open')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: ElectionResponseDto })
  async open(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
  ): Promise<ElectionResponseDto> {
    await this.elections.open({ kind: 'user', id: caller.id }, id);
    return toElectionResponse(...(await this.elections.getWithCandidates(id)));
  }

  @Post(':id/close')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: ElectionResponseDto })
  async close(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
  ): Promise<ElectionResponseDto> {
    await this.elections.close({ kind: 'user', id: caller.id }, id);
    return toElectionResponse(...(await this.elections.getWithCandidates(id)));
  }

  @Get(':id/roll')
  @Roles('admin')
  @ApiOkResponse({ type: [RollEntryResponseDto] })
  async roll(@Param('id', UUID) id: string): Promise<RollEntryResponseDto[]> {
    return (await this.elections.rollRows(id)).map(toRollEntryResponse);
  }

  @Get(':id/roll/me')
  @Authenticated()
  @ApiOkResponse({ type: MyRollStatusDto })
  async myRoll(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
  ): Promise<MyRollStatusDto> {
    const status = await this.casting.myRoll(caller, id);
    return { onRoll: status.onRoll, entries: status.entries.map(toRollEntryResponse) };
  }

  @Post(':id/roll')
  @Roles('admin')
  @HttpCode(204)
  addRollEntry(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: AddRollEntryDto,
  ): Promise<void> {
    return this.elections.addRollEntry(caller, id, body);
  }

  @Post(':id/roll/:memberId/remove')
  @Roles('admin')
  @HttpCode(204)
  removeRollEntry(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Param('memberId', UUID) memberId: string,
    @Body() body: RemoveRollEntryDto,
  ): Promise<void> {
    return this.elections.removeRollEntry(caller, id, memberId, body);
  }

  @Post(':id/ballots')
  @AuthenticatedInStatement()
  @UseGuards(CastLimitsGuard)
  @HttpCode(201)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Resending the same request with the same key returns the same receipt',
  })
  @ApiBody({ type: CastBallotDto })
  @ApiOkResponse({ type: ReceiptResponseDto })
  @ApiTooManyRequestsResponse({ description: 'A casting rate limit was reached; see Retry-After' })
  cast(
    @SessionCaller() caller: SessionCallerClaims,
    @Param('id', UUID) id: string,
    @CastBallotBody() body: CastBallotDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<ReceiptResponseDto> {
    return this.casting.cast(caller, id, body, idempotencyKey);
  }

  @Get(':id/participations')
  @Roles('admin', 'member')
  @ApiOkResponse({ type: [ParticipantResponseDto] })
  participations(@Param('id', UUID) id: string): Promise<ParticipantResponseDto[]> {
    return this.casting.participants(id);
  }

  @Get(':id/receipts/:receipt/proof')
  @Public()
  @ApiOkResponse({ type: ReceiptProofDto })
  proof(
    @Param('id', UUID) id: string,
    @Param('receipt', new ReceiptPipe()) receipt: string,
  ): Promise<ReceiptProofDto> {
    return this.casting.proof(id, receipt);
  }

  @Get(':id/results')
  @Roles('admin')
  @ApiOkResponse({ type: ElectionResultDto })
  async results(@Param('id', UUID) id: string): Promise<ElectionResultDto> {
    const { election, run } = await this.outcomes.result(id);
    return toResultResponse(election, run);
  }

  @Get(':id/protocol')
  @Roles('admin')
  @ApiOkResponse({ type: ProtocolResponseDto })
  async protocol(@Param('id', UUID) id: string): Promise<ProtocolResponseDto> {
    return toProtocolResponse(await this.outcomes.protocol(id));
  }
}
