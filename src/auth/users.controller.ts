import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from 'src/common/auth/auth-user';
import { CurrentUser, Roles } from 'src/common/auth/policy.decorators';
import {
  CreateUserDto,
  ListUsersQueryDto,
  toUserResponse,
  UpdateUserDto,
  UserPageDto,
  UserResponseDto,
} from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
@Roles('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOkResponse({ type: UserPageDto })
  async list(@Query() query: ListUsersQueryDto): Promise<UserPageDto> {
    const [items, total] = await this.users.list(query);
    return { items: items.map(toUserResponse), total };
  }

  @Get(':id')
  @ApiOkResponse({ type: UserResponseDto })
  async get(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<UserResponseDto> {
    return toUserResponse(await this.users.get(id));
  }

  @Post()
  @ApiOkResponse({ type: UserResponseDto })
  async create(@CurrentUser() caller: AuthUser, @Body() body: CreateUserDto): Promise<UserResponseDto> {
    return toUserResponse(await this.users.create(caller, body));
  }

  @Patch(':id')
  @ApiOkResponse({ type: UserResponseDto })
  async update(
    @CurrentUser() caller: AuthUser,
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
    @Body() body: UpdateUserDto,
  ): Promise<UserResponseDto> {
    return toUserResponse(await this.users.update(caller, id, body));
  }
}
