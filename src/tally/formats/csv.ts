import { FormatError, stripBom } from './format-error';

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. Returns rows with their line numbers. */
export function parseCsv(source: string): { cells: string[]; line: number }[] {
  const text = stripBom(source);
  const rows: { cells: string[]; line: number }[] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let i = 0;
  let fieldStarted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (ch === '\n') {
        line++;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
      i++;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      fieldStarted = false;
      i++;
    } else if (ch === '\r' || ch === '\n') {
      row.push(field);
      rows.push({ cells: row, line: rowLine });
      row = [];
      field = '';
      fieldStarted = false;
      if (ch === '\r' && text[i + 1] === '\n') {
        i++;
      }
      i++;
      line++;
      rowLine = line;
    } else {
      field += ch;
      fieldStarted = true;
      i++;
    }
  }
  if (quoted) {
    throw new FormatError('unterminated quoted field', rowLine);
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push({ cells: row, line: rowLine });
  }
  return rows.filter((r) => !(r.cells.length === 1 && r.cells[0].trim() === ''));
}
