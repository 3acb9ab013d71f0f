import { SetMetadata } from '@nestjs/common';
import type { JobName } from './job-catalogue';

export const JOB_HANDLER_KEY = 'job-handler';

/** Marks the one method that runs a job. Start-up fails if a job has no handler or two. */
export const OnJob = (name: JobName): MethodDecorator => SetMetadata(JOB_HANDLER_KEY, name);
