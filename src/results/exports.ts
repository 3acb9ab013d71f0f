import PDFDocument from 'pdfkit';
import type { ElectionOutcome } from 'src/elections/election-rules';
import type { TieDecision } from 'src/audit/manifest';
import type { PublicResult } from './public-results.service';

/** Pure renderers of published results: no Nest, no database. */

const FONT_REGULAR = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
const FONT_BOLD = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf');

function csvField(value: string | number | boolean | null): string {
  const text = value === null ? '' : String(value);
  // Quote everything that could break a row, and defuse spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r']/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export interface VoteRow {
  candidateId: string;
  name: string;
  votes: string;
  elected: boolean;
}

/** Per-candidate figures: the contest's own reading where it has one, else the last round. */
export function voteRows(r: PublicResult): VoteRow[] {
  const winners = new Set(r.winners.map((w) => w.id));
  const outcome = r.outcome as Partial<ElectionOutcome>;
  if (outcome.yesNo) {
    const y = outcome.yesNo;
    return [
      {
        candidateId: y.candidateId,
        name: `${y.name}: for`,
        votes: y.for,
        elected: winners.has(y.candidateId),
      },
      { candidateId: y.candidateId, name: `${y.name}: against`, votes: y.against, elected: false },
      { candidateId: y.candidateId, name: `${y.name}: abstain`, votes: y.abstain, elected: false },
    ];
  }
  if (Array.isArray(outcome.votes)) {
    return outcome.votes.map((v) => ({ ...v, elected: winners.has(v.candidateId) }));
  }
  const result = r.result;
  const last = result.rounds[result.rounds.length - 1];
  const scores = (result.details as { scores?: Record<string, string> }).scores ?? {};
  return r.candidates.map((c) => ({
    candidateId: c.id,
    name: c.name,
    votes: scores[c.id] ?? last?.votes[c.id] ?? '',
    elected: winners.has(c.id),
  }));
}

export function resultCsv(r: PublicResult): string {
  const m = r.publication.manifest;
  const header = [
    'contest_id',
    'contest',
    'method',
    'candidate_id',
    'candidate',
    'votes',
    'elected',
    'ballots',
    'published_at',
    'output_digest',
    'tie_decision',
    'decision_reason',
    'decided_by',
    'decided_at',
  ];
  const publishedAt = (r.publication.publishedAt ?? r.publication.publishAt).toISOString();
  const d = r.decision;
  // Each candidate of a decided tie says whether the decision chose them, and why.
  const decided = (id: string): (string | null)[] =>
    d && d.between.includes(id)
      ? [d.chosen.includes(id) ? 'chosen' : 'not chosen', d.reason, d.decidedBy, d.decidedAt]
      : [null, null, null, null];
  const rows = voteRows(r).map((v) =>
    [
      m.contest.id,
      r.title,
      m.method,
      v.candidateId,
      v.name,
      v.votes,
      v.elected,
      m.ballotCount,
      publishedAt,
      m.outputDigest,
      ...decided(v.candidateId),
    ]
      .map(csvField)
      .join(','),
  );
  // A BOM so spreadsheet programs read the UTF-8 (Cyrillic names) correctly.
  return `\ufeff${[header.join(','), ...rows].join('\r\n')}\r\n`;
}

/** The printable record of a meeting's published elections: one protocol per election. */
export function meetingPdf(
  meeting: { title: string; startsAt: Date; place: string | null },
  results: PublicResult[],
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: `Results: ${meeting.title}`, Creator: 'association-ballot' },
  });
  doc.registerFont('body', FONT_REGULAR);
  doc.registerFont('bold', FONT_BOLD);
  const done = collect(doc);
  doc.font('bold').fontSize(18).text(meeting.title);
  doc
    .font('body')
    .fontSize(10)
    .text(
      `${meeting.startsAt.toISOString().slice(0, 10)}${meeting.place ? `, ${meeting.place}` : ''}`,
    )
    .moveDown();
  if (results.length === 0) {
    doc.fontSize(11).text('No result of this meeting has been published.');
  }
  for (const r of results) {
    doc.font('bold').fontSize(14).text(r.title).moveDown(0.3);
    doc
      .font('bold')
      .fontSize(11)
      .text(`Elected: ${r.winners.map((w) => w.name).join(', ') || '(no one)'}`);
    doc.moveDown(0.3).font('body').fontSize(10);
    for (const v of voteRows(r)) {
      doc.text(`${v.elected ? '■' : '□'} ${v.name}: ${v.votes}`);
    }
    decisionText(doc, r);
    if (r.protocol) {
      doc.moveDown(0.5).text(r.protocol);
    }
    footer(doc, r);
  }
  doc.end();
  return done;
}

/** The printable record of an award edition: every category, its nominees and its winners. */
export function editionPdf(
  title: string,
  categories: { title: string; rounds: PublicResult[] }[],
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: `Results: ${title}`, Creator: 'association-ballot' },
  });
  doc.registerFont('body', FONT_REGULAR);
  doc.registerFont('bold', FONT_BOLD);
  const done = collect(doc);
  doc.font('bold').fontSize(18).text(title).moveDown();
  if (categories.length === 0) {
    doc.font('body').fontSize(11).text('No result of this edition has been published.');
  }
  for (const category of categories) {
    doc.font('bold').fontSize(14).text(category.title).moveDown(0.3);
    for (const r of category.rounds) {
      doc.font('bold').fontSize(11).text(r.title);
      doc
        .font('bold')
        .text(`Winners: ${r.winners.map((w) => w.name).join(', ') || '(none)'}`)
        .moveDown(0.2);
      doc.font('body').fontSize(10).text('Nominees:');
      for (const v of voteRows(r)) {
        doc.text(`${v.elected ? '■' : '□'} ${v.name}${v.votes ? `: ${v.votes}` : ''}`);
      }
      decisionText(doc, r);
      footer(doc, r);
    }
  }
  doc.end();
  return done;
}

/** A one-contest document, for contests outside a meeting. */
export function resultPdf(r: PublicResult): Promise<Buffer> {
  return meetingPdf({ title: r.title, startsAt: r.publication.certifiedAt, place: null }, [r]);
}

/** One sentence on a tie settled by a decision: between whom, who decided, when, why. */
export function decisionSentence(d: TieDecision, names: Map<string, string>): string {
  const name = (id: string): string => names.get(id) ?? id;
  return `Tie for ${d.seats} place(s) between ${d.between.map(name).join(', ')} decided by the ${d.decidedBy} on ${d.decidedAt.slice(0, 10)} for ${d.chosen.map(name).join(', ')}: ${d.reason} (the lot from the published seed would have drawn ${d.drawnByLot.map(name).join(', ')}).`;
}

function decisionText(doc: PDFKit.PDFDocument, r: PublicResult): void {
  if (r.decision) {
    const names = new Map(r.candidates.map((c) => [c.id, c.name]));
    doc.moveDown(0.3).font('body').fontSize(10).text(decisionSentence(r.decision, names));
  }
}

function footer(doc: PDFKit.PDFDocument, r: PublicResult): void {
  const m = r.publication.manifest;
  doc
    .moveDown(0.5)
    .font('body')
    .fontSize(7)
    .fillColor('#555555')
    .text(
      `Certified ${m.certifiedAt}; input ${m.inputDigest}; ${m.merkleRoot ? `receipts root ${m.merkleRoot}; ` : ''}output ${m.outputDigest}; engine ${m.engineVersion}; key ${m.keyId}.`,
    )
    .fillColor('#000000')
    .moveDown(1.2);
}

function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}
