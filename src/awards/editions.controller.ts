import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from 'src/common/auth/auth-user';
import { Authenticated, CurrentUser, Roles } from 'src/common/auth/policy.decorators';
import {
  CategoryResponseDto,
  CreateCategoryDto,
  CreateEditionDto,
  CreateProgramDto,
  EditionResponseDto,
  PhaseChangeDto,
  ProgramResponseDto,
  toCategoryResponse,
  toEditionResponse,
  toProgramResponse,
  UpdateCategoryDto,
  UpdateEditionDto,
} from './dto/edition.dto';
import { EditionsService } from './editions.service';

const UUID = new ParseUUIDPipe({ version: '4' });

@ApiTags('awards')
@ApiBearerAuth()
@Controller('awards')
export class EditionsController {
  constructor(private readonly editions: EditionsService) {}

  @Get('programs')
  @Authenticated()
  @ApiOkResponse({ type: [ProgramResponseDto] })
  async programs(): Promise<ProgramResponseDto[]> {
    return (await this.editions.programs()).map(toProgramResponse);
  }

  @Post('programs')
  @Roles('admin')
  @ApiOkResponse({ type: ProgramResponseDto })
  async createProgram(
    @CurrentUser() caller: AuthUser,
    @Body() body: CreateProgramDto,
  ): Promise<ProgramResponseDto> {
    return toProgramResponse(await this.editions.createProgram(caller, body));
  }

  @Get('programs/:id')
  @Authenticated()
  @ApiOkResponse({ type: ProgramResponseDto })
  async program(@Param('id', UUID) id: string): Promise<ProgramResponseDto> {
    return toProgramResponse(await this.editions.program(id));
  }

  @Get('programs/:id/editions')
  @Authenticated()
  @ApiOkResponse({ type: [EditionResponseDto] })
  async editionsOf(@Param('id', UUID) id: string): Promise<EditionResponseDto[]> {
    return (await this.editions.editionsOf(id)).map(toEditionResponse);
  }

  @Post('programs/:id/editions')
  @Roles('admin')
  @ApiOkResponse({ type: EditionResponseDto })
  async createEdition(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: CreateEditionDto,
  ): Promise<EditionResponseDto> {
    return toEditionResponse(await this.editions.createEdition(caller, id, body));
  }

  @Get('editions/:id')
  @Authenticated()
  @ApiOkResponse({ type: EditionResponseDto })
  async edition(@Param('id', UUID) id: string): Promise<EditionResponseDto> {
    return toEditionResponse(await this.editions.edition(id));
  }

  @Patch('editions/:id')
  @Roles('admin')
  @ApiOkResponse({ type: EditionResponseDto })
  async updateEdition(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: UpdateEditionDto,
  ): Promise<EditionResponseDto> {
    return toEditionResponse(await this.editions.updateEdition(caller, id, body));
  }

  @Post('editions/:id/phase')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: EditionResponseDto })
  async changePhase(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: PhaseChangeDto,
  ): Promise<EditionResponseDto> {
    return toEditionResponse(
      await this.editions.changePhase({ kind: 'user', id: caller.id }, id, body.phase),
    );
  }

  @Get('editions/:id/categories')
  @Authenticated()
  @ApiOkResponse({ type: [CategoryResponseDto] })
  async categories(@Param('id', UUID) id: string): Promise<CategoryResponseDto[]> {
    return (await this.editions.categoriesOf(id)).map(toCategoryResponse);
  }

  @Post('editions/:id/categories')
  @Roles('admin')
  @ApiOkResponse({ type: CategoryResponseDto })
  async createCategory(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: CreateCategoryDto,
  ): Promise<CategoryResponseDto> {
    return toCategoryResponse(await this.editions.createCategory(caller, id, body));
  }

  @Get('categories/:id')
  @Authenticated()
  @ApiOkResponse({ type: CategoryResponseDto })
  async category(@Param('id', UUID) id: string): Promise<CategoryResponseDto> {
    return toCategoryResponse(await this.editions.category(id));
  }

  @Patch('categories/:id')
  @Roles('admin')
  @ApiOkResponse({ type: CategoryResponseDto })
  async updateCategory(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: UpdateCategoryDto,
  ): Promise<CategoryResponseDto> {
    return toCategoryResponse(await this.editions.updateCategory(caller, id, body));
  }

  @Post('categories/:id/close-nominations')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: CategoryResponseDto })
  async closeNominations(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
  ): Promise<CategoryResponseDto> {
    return toCategoryResponse(await this.editions.closeNominations(caller, id));
  }
}
