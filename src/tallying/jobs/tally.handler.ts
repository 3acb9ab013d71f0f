import { Injectable } from '@nestjs/common';
import { OnJob } from 'src/jobs/job-handler.decorator';
import { JobName, JobPayloads } from 'src/jobs/job-catalogue';
import { TallyingService } from 'src/tallying/tallying.service';

/** Thin: unpack, tally, return the run id. */
@Injectable()
export class TallyJobHandler {
  constructor(private readonly tallying: TallyingService) {}

  @OnJob(JobName.Tally)
  async handle(payload: JobPayloads[JobName.Tally]): Promise<{ runId: string }> {
    const run = await this.tallying.run(payload);
    return { runId: run.id };
  }
}
