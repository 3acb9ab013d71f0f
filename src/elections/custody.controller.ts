import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from 'src/common/auth/auth-user';
import { Authenticated, CurrentUser, Roles } from 'src/common/auth/policy.decorators';
import { CustodyService } from './custody.service';
import {
  CollectedShareDto,
  CustodyStatusDto,
  SetCustodyDto,
  SubmitShareDto,
  toCollectedShareResponse,
  toCustodyStatusResponse,
} from './dto/custody.dto';

const UUID = new ParseUUIDPipe({ version: '4' });

@ApiTags('elections')
@ApiBearerAuth()
@Controller('elections')
export class CustodyController {
  constructor(private readonly custody: CustodyService) {}

  @Get(':id/custody')
  @Authenticated()
  @ApiOperation({
    summary: 'Who holds the key to the sealed ballots, and what the opening waits for',
  })
  @ApiOkResponse({ type: CustodyStatusDto })
  async status(@Param('id', UUID) id: string): Promise<CustodyStatusDto> {
    return toCustodyStatusResponse(await this.custody.status(id));
  }

  @Put(':id/custody')
  @Roles('admin')
  @ApiOperation({ summary: 'Choose the custody of the election key (draft only; makes a new key)' })
  @ApiOkResponse({ type: CustodyStatusDto })
  async set(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: SetCustodyDto,
  ): Promise<CustodyStatusDto> {
    return toCustodyStatusResponse(await this.custody.setCustody(caller, id, body));
  }

  @Post(':id/custody/collect')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({ summary: 'A counting-commission member collects their key share, once' })
  @ApiOkResponse({ type: CollectedShareDto })
  async collect(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
  ): Promise<CollectedShareDto> {
    return toCollectedShareResponse(await this.custody.collect(caller, id));
  }

  @Post(':id/custody/submit')
  @Authenticated()
  @HttpCode(200)
  @ApiOperation({ summary: 'A counting-commission member hands their share back after the close' })
  @ApiOkResponse({ type: CustodyStatusDto })
  async submit(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: SubmitShareDto,
  ): Promise<CustodyStatusDto> {
    return toCustodyStatusResponse(await this.custody.submit(caller, id, body));
  }
}
