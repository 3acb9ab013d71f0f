import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from 'src/common/auth/auth-user';
import { Authenticated, CurrentUser, Roles } from 'src/common/auth/policy.decorators';
import {
  AdminCheckInDto,
  AttendanceResponseDto,
  CheckInResponseDto,
  CreateMeetingDto,
  MeetingResponseDto,
  toAttendanceResponse,
  toMeetingResponse,
  UpdateMeetingDto,
} from './dto/meeting.dto';
import { MeetingsService } from './meetings.service';

const UUID = new ParseUUIDPipe({ version: '4' });

@ApiTags('meetings')
@ApiBearerAuth()
@Controller('meetings')
export class MeetingsController {
  constructor(private readonly meetings: MeetingsService) {}

  @Get()
  @Authenticated()
  @ApiOkResponse({ type: [MeetingResponseDto] })
  async list(): Promise<MeetingResponseDto[]> {
    const all = await this.meetings.list();
    return Promise.all(all.map(async (m) => toMeetingResponse(m, await this.meetings.quorum(m))));
  }

  @Get(':id')
  @Authenticated()
  @ApiOkResponse({ type: MeetingResponseDto })
  async get(@Param('id', UUID) id: string): Promise<MeetingResponseDto> {
    const meeting = await this.meetings.get(id);
    return toMeetingResponse(meeting, await this.meetings.quorum(meeting));
  }

  @Post()
  @Roles('admin')
  @ApiOkResponse({ type: MeetingResponseDto })
  async create(
    @CurrentUser() caller: AuthUser,
    @Body() body: CreateMeetingDto,
  ): Promise<MeetingResponseDto> {
    const meeting = await this.meetings.create(caller, body);
    return toMeetingResponse(meeting, await this.meetings.quorum(meeting));
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ type: MeetingResponseDto })
  async update(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: UpdateMeetingDto,
  ): Promise<MeetingResponseDto> {
    const meeting = await this.meetings.update(caller, id, body);
    return toMeetingResponse(meeting, await this.meetings.quorum(meeting));
  }

  @Post(':id/check-in')
  @Authenticated()
  @HttpCode(200)
  @ApiOkResponse({ type: CheckInResponseDto })
  checkIn(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
  ): Promise<CheckInResponseDto> {
    return this.meetings.selfCheckIn(caller, id);
  }

  @Post(':id/attendance')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: CheckInResponseDto })
  adminCheckIn(
    @CurrentUser() caller: AuthUser,
    @Param('id', UUID) id: string,
    @Body() body: AdminCheckInDto,
  ): Promise<CheckInResponseDto> {
    return this.meetings.adminCheckIn(caller, id, body);
  }

  @Get(':id/attendance')
  @Roles('admin')
  @ApiOkResponse({ type: [AttendanceResponseDto] })
  async attendance(@Param('id', UUID) id: string): Promise<AttendanceResponseDto[]> {
    return (await this.meetings.attendance(await this.meetings.get(id))).map(toAttendanceResponse);
  }
}
