import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from 'src/common/auth/auth-user';
import { Authenticated, CurrentUser, Roles } from 'src/common/auth/policy.decorators';
import {
  CreateMemberDto,
  ImportQueryDto,
  ImportReportDto,
  ListMembersQueryDto,
  MemberPageDto,
  MemberResponseDto,
  toMemberResponse,
  UpdateMemberDto,
} from './dto/member.dto';
import { readUploadedText } from './upload';
import { MembersService } from './members.service';

@ApiTags('members')
@ApiBearerAuth()
@Controller('members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @Roles('admin')
  @ApiOkResponse({ type: MemberPageDto })
  async list(@Query() query: ListMembersQueryDto): Promise<MemberPageDto> {
    const [items, total] = await this.members.list(query);
    return { items: items.map(toMemberResponse), total };
  }

  @Get('me')
  @Authenticated()
  @ApiOkResponse({ type: [MemberResponseDto] })
  async mine(@CurrentUser() caller: AuthUser): Promise<MemberResponseDto[]> {
    return (await this.members.mine(caller)).map(toMemberResponse);
  }

  @Get(':id')
  @Roles('admin')
  @ApiOkResponse({ type: MemberResponseDto })
  async get(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<MemberResponseDto> {
    return toMemberResponse(await this.members.get(id));
  }

  @Post()
  @Roles('admin')
  @ApiOkResponse({ type: MemberResponseDto })
  async create(@CurrentUser() caller: AuthUser, @Body() body: CreateMemberDto): Promise<MemberResponseDto> {
    return toMemberResponse(await this.members.create(caller, body));
  }

  @Post('import')
  @Roles('admin')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiOkResponse({ type: ImportReportDto })
  async import(
    @CurrentUser() caller: AuthUser,
    @Query() query: ImportQueryDto,
    @Req() request: FastifyRequest,
  ): Promise<ImportReportDto> {
    return this.members.import(caller, await readUploadedText(request), query.dryRun === 'true');
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ type: MemberResponseDto })
  async update(
    @CurrentUser() caller: AuthUser,
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Body() body: UpdateMemberDto,
  ): Promise<MemberResponseDto> {
    return toMemberResponse(await this.members.update(caller, id, body));
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  remove(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<void> {
    return this.members.remove(caller, id);
  }
}
