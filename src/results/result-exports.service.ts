import { Injectable, StreamableFile } from '@nestjs/common';
import { editionPdf, meetingPdf, resultCsv, resultPdf } from './exports';
import { PublicResultsService } from './public-results.service';
import { RenderCache } from './render-cache';

/** Rendered PDFs kept in memory; a few MiB at most. */
const PDF_CACHE_ENTRIES = 64;

/** CSV and PDF files of published results only (the reads refuse anything unpublished). */
@Injectable()
export class ResultExportsService {
  private readonly pdfs = new RenderCache(PDF_CACHE_ENTRIES);

  constructor(private readonly results: PublicResultsService) {}

  /** The frozen audit bundle, byte for byte as stored. */
  async bundle(kind: string, contestId: string): Promise<StreamableFile> {
    return new StreamableFile(await this.results.bundle(kind, contestId), {
      type: 'application/json; charset=utf-8',
    });
  }

  async csv(kind: string, contestId: string): Promise<StreamableFile> {
    const result = await this.results.result(kind, contestId);
    return new StreamableFile(Buffer.from(resultCsv(result), 'utf8'), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="result-${contestId}.csv"`,
    });
  }

  async contestPdf(kind: string, contestId: string): Promise<StreamableFile> {
    const result = await this.results.result(kind, contestId);
    const pdf = await this.pdfs.render({ file: 'contest', result }, () => resultPdf(result));
    return pdfFile(pdf, `result-${contestId}.pdf`);
  }

  async editionPdf(editionId: string): Promise<StreamableFile> {
    const { edition, programTitle, categories } = await this.results.editionResults(editionId);
    const title =
      `${programTitle} ${edition.year}${edition.ordinal ? ` (${edition.ordinal})` : ''}`.trim();
    const pdf = await this.pdfs.render({ file: 'edition', title, categories }, () =>
      editionPdf(title, categories),
    );
    return pdfFile(pdf, `edition-${editionId}.pdf`);
  }

  async meetingPdf(meetingId: string): Promise<StreamableFile> {
    const { meeting, results } = await this.results.meetingResults(meetingId);
    const pdf = await this.pdfs.render({ file: 'meeting', meeting, results }, () =>
      meetingPdf(meeting, results),
    );
    return pdfFile(pdf, `meeting-${meetingId}.pdf`);
  }
}

function pdfFile(buffer: Buffer, name: string): StreamableFile {
  return new StreamableFile(buffer, {
    type: 'application/pdf',
    disposition: `attachment; filename="${name}"`,
  });
}
