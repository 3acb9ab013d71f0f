import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from 'src/common/auth/auth-user';
import { CurrentUser, Roles } from 'src/common/auth/policy.decorators';
import { CategoryResultsDto, toCategoryResults } from './dto/results.dto';
import {
  CreateRoundDto,
  ResolveTieDto,
  RoundProgressDto,
  RoundResponseDto,
  toRoundResponse,
} from './dto/round.dto';
import { ResultsService } from './results.service';
import { RoundsService } from './rounds.service';

const UUID = new ParseUUIDPipe({ version: '4' });

/** Admins run the jury rounds and read the computed results. */
@ApiTags('awards')
@ApiBearerAuth()
@Controller('awards')
export class RoundsController {
  constructor(
    private readonly rounds: RoundsService,
    private readonly outcomes: ResultsService,
  ) {}

  @Get('categories/:id/rounds')
  @Roles('admin')
  @ApiOkResponse({ type: [RoundResponseDto] })
  async roundsOf(@Param('id', UUID) id: string): Promise<RoundResponseDto[]> {
    return (await this.rounds.roundsOf(id)).map(toRoundResponse);
  }

  @Post('categories/:id/rounds')
  @Roles('admin')
  @ApiOkResponse({ type: RoundResponseDto })
  async create(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: CreateRoundDto,
  ): Promise<RoundResponseDto> {
    return toRoundResponse(await this.rounds.create(caller, id, body));
  }

  @Get('rounds/:id')
  @Roles('admin')
  @ApiOkResponse({ type: RoundResponseDto })
  async round(@Param('id', UUID) id: string): Promise<RoundResponseDto> {
    return toRoundResponse(await this.rounds.round(id));
  }

  @Post('rounds/:id/open')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: RoundResponseDto })
  async open(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
  ): Promise<RoundResponseDto> {
    return toRoundResponse(await this.rounds.open({ kind: 'user', id: caller.id }, id));
  }

  @Post('rounds/:id/close')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: RoundResponseDto })
  async close(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
  ): Promise<RoundResponseDto> {
    return toRoundResponse(await this.rounds.close({ kind: 'user', id: caller.id }, id));
  }

  @Get('rounds/:id/progress')
  @Roles('admin')
  @ApiOkResponse({ type: RoundProgressDto })
  async progress(@Param('id', UUID) id: string): Promise<RoundProgressDto> {
    const p = await this.rounds.progress(id);
    return {
      round: toRoundResponse(p.round),
      minScores: p.minScores,
      jurors: p.jurors.map((j) => ({ ...j, submittedAt: j.submittedAt?.toISOString() ?? null })),
      nominees: p.nominees,
      nomineesLackingScores: p.nominees.filter((n) => n.lacking).length,
    };
  }

  @Post('rounds/:id/resolve-tie')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: RoundResponseDto })
  async resolveTie(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: ResolveTieDto,
  ): Promise<RoundResponseDto> {
    return toRoundResponse(await this.rounds.resolveTie(caller, id, body));
  }

  @Get('categories/:id/results')
  @Roles('admin')
  @ApiOkResponse({ type: CategoryResultsDto })
  async results(@Param('id', UUID) id: string): Promise<CategoryResultsDto> {
    return toCategoryResults(await this.outcomes.category(id));
  }
}
