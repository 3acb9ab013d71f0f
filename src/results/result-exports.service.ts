import { Injectable, StreamableFile } from '@nestjs/common';
import { editionPdf, meetingPdf, resultCsv, resultPdf } from './exports';
import { PublicResultsService } from './public-results.service';

/** CSV and PDF files of published results only (the reads refuse anything unpublished). */
@Injectable()
export class ResultExportsService {
  constructor(private readonly results: PublicResultsService) {}

  async csv(kind: string, contestId: string): Promise<StreamableFile> {
    const result = await this.results.result(kind, contestId);
    return new StreamableFile(Buffer.from(resultCsv(result), 'utf8'), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="result-${contestId}.csv"`,
    });
  }

  async contestPdf(kind: string, contestId: string): Promise<StreamableFile> {
    const result = await this.results.result(kind, contestId);
    return pdfFile(await resultPdf(result), `result-${contestId}.pdf`);
  }

  async editionPdf(editionId: string): Promise<StreamableFile> {
    const { edition, programTitle, categories } = await this.results.editionResults(editionId);
    const title = `${programTitle} ${edition.year}${edition.ordinal ? ` (${edition.ordinal})` : ''}`;
    return pdfFile(await editionPdf(title.trim(), categories), `edition-${editionId}.pdf`);
  }

  async meetingPdf(meetingId: string): Promise<StreamableFile> {
    const { meeting, results } = await this.results.meetingResults(meetingId);
    return pdfFile(await meetingPdf(meeting, results), `meeting-${meetingId}.pdf`);
  }
}

function pdfFile(buffer: Buffer, name: string): StreamableFile {
  return new StreamableFile(buffer, {
    type: 'application/pdf',
    disposition: `attachment; filename="${name}"`,
  });
}
