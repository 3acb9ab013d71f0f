import { Injectable } from '@nestjs/common';
import { OnJob } from 'src/jobs/job-handler.decorator';
import { JobName, JobPayloads } from 'src/jobs/job-catalogue';
import { PublicationService } from 'src/results/publication.service';

/** Thin: unpack, publish, return whether this delivery changed anything. */
@Injectable()
export class PublishResultJobHandler {
  constructor(private readonly publications: PublicationService) {}

  @OnJob(JobName.PublishResult)
  async handle(payload: JobPayloads[JobName.PublishResult]): Promise<{ published: boolean }> {
    return { published: await this.publications.publishDue(payload.publicationId) };
  }
}
