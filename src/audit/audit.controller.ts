import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from 'src/common/auth/policy.decorators';
import { AuditService } from './audit.service';
import {
  AuditEventResponseDto,
  ChainCheckResponseDto,
  ListAuditQueryDto,
  toAuditEventResponse,
} from './dto/audit.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
@Roles('admin')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('events')
  @ApiOkResponse({ type: [AuditEventResponseDto] })
  async list(@Query() query: ListAuditQueryDto): Promise<AuditEventResponseDto[]> {
    const events = await this.audit.list({ ...query, limit: query.limit ?? 100 });
    return events.map(toAuditEventResponse);
  }

  @Get('verify')
  @ApiOkResponse({ type: ChainCheckResponseDto })
  verify(): Promise<ChainCheckResponseDto> {
    return this.audit.verify();
  }
}
