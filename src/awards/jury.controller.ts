import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from 'src/common/auth/auth-user';
import { CurrentUser, Roles } from 'src/common/auth/policy.decorators';
import { BallotsService } from './ballots.service';
import {
  AssignJurorDto,
  AssignmentResponseDto,
  ConflictResponseDto,
  DeclareConflictDto,
  JurorCategoryDto,
  ReasonDto,
  toAssignmentResponse,
  toConflictResponse,
  toJurorCategory,
} from './dto/jury.dto';
import {
  BallotResponseDto,
  JurorRoundDto,
  SaveBallotDto,
  toBallotResponse,
  toJurorRound,
} from './dto/round.dto';
import { JuryService } from './jury.service';

const UUID = new ParseUUIDPipe({ version: '4' });

/** Panels and conflicts (admins), and the juror's own categories, rounds and ballots. */
@ApiTags('awards')
@ApiBearerAuth()
@Controller('awards')
export class JuryController {
  constructor(
    private readonly juries: JuryService,
    private readonly ballots: BallotsService,
  ) {}

  @Get('categories/:id/jurors')
  @Roles('admin')
  @ApiOkResponse({ type: [AssignmentResponseDto] })
  async panel(@Param('id', UUID) id: string): Promise<AssignmentResponseDto[]> {
    return (await this.juries.panel(id)).map(toAssignmentResponse);
  }

  @Post('categories/:id/jurors')
  @Roles('admin')
  @ApiOkResponse({ type: AssignmentResponseDto })
  async assign(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: AssignJurorDto,
  ): Promise<AssignmentResponseDto> {
    return toAssignmentResponse(await this.juries.assign(caller, id, body));
  }

  @Get('categories/:id/conflicts')
  @Roles('admin')
  @ApiOkResponse({ type: [ConflictResponseDto] })
  async conflicts(@Param('id', UUID) id: string): Promise<ConflictResponseDto[]> {
    return (await this.juries.conflicts(id)).map(toConflictResponse);
  }

  @Post('conflicts/:id/dismiss')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: ConflictResponseDto })
  async dismiss(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: ReasonDto,
  ): Promise<ConflictResponseDto> {
    return toConflictResponse(await this.juries.dismiss(caller, id, body.reason));
  }

  @Get('jury/categories')
  @Roles('jury')
  @ApiOkResponse({ type: [JurorCategoryDto] })
  async myCategories(@CurrentUser() caller: AuthUser): Promise<JurorCategoryDto[]> {
    return (await this.juries.myCategories(caller)).map(toJurorCategory);
  }

  @Post('jury/categories/:id/conflicts')
  @Roles('jury')
  @ApiOkResponse({ type: ConflictResponseDto })
  async declare(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: DeclareConflictDto,
  ): Promise<ConflictResponseDto> {
    return toConflictResponse(await this.juries.declare(caller, id, body));
  }

  @Get('jury/rounds')
  @Roles('jury')
  @ApiOkResponse({ type: [JurorRoundDto] })
  async myRounds(@CurrentUser() caller: AuthUser): Promise<JurorRoundDto[]> {
    return (await this.ballots.openRounds(caller)).map(toJurorRound);
  }

  @Get('jury/rounds/:id')
  @Roles('jury')
  @ApiOkResponse({ type: JurorRoundDto })
  async myRound(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
  ): Promise<JurorRoundDto> {
    return toJurorRound(await this.ballots.round(caller, id));
  }

  @Put('jury/rounds/:id/ballot')
  @Roles('jury')
  @ApiOkResponse({ type: BallotResponseDto })
  async saveBallot(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: SaveBallotDto,
  ): Promise<BallotResponseDto> {
    return toBallotResponse(await this.ballots.save(caller, id, body));
  }

  @Get('jury/ballots/:id')
  @Roles('jury')
  @ApiOkResponse({ type: BallotResponseDto })
  async myBallot(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
  ): Promise<BallotResponseDto> {
    return toBallotResponse(await this.ballots.ballot(caller, id));
  }
}
