/**
 * Offline verifier of a published result: npm run verify -- <bundle.json|https://…/bundle>
 *                                                   [--key <public-key.pem|url>] [--receipt <hex>] [--json]
 * Checks the signature, the input digest, the ballots' aggregated form and the Merkle root,
 * replays the tally with the engine, checks a signed tie decision against the count and the
 * published winners, compares the counts and proves the contest's audit events against the signed
 * head. One PASS/FAIL/SKIP line per check; exit code 1 when any check fails, 2 on a usage or input
 * error.
 */
import { readFile } from 'node:fs/promises';
import type { AuditBundle } from 'src/results/bundle';
import { allPassed, type CheckResult, verifyBundle } from 'src/results/verify-bundle';

const USAGE =
  'usage: npm run verify -- <bundle-file-or-url> [--key <public-key-file-or-url>] [--receipt <hex>] [--json]';

interface Options {
  source: string;
  key?: string;
  receipt?: string;
  json: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const positional: string[] = [];
  const o: Partial<Options> = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) {
        throw new UsageError(`${arg} needs a value`);
      }
      return v;
    };
    if (arg === '--key') {
      o.key = value();
    } else if (arg === '--receipt') {
      o.receipt = value();
    } else if (arg === '--json') {
      o.json = true;
    } else if (arg.startsWith('--')) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length !== 1) {
    throw new UsageError('give exactly one bundle');
  }
  return { ...o, source: positional[0] } as Options;
}

/** A local file, or an http(s) URL fetched once; everything after that is offline. */
async function load(source: string): Promise<string> {
  if (/^https?:\/\//i.test(source)) {
    const res = await fetch(source);
    if (!res.ok) {
      throw new Error(`${source}: HTTP ${res.status}`);
    }
    return res.text();
  }
  return readFile(source, 'utf8');
}

function keyFrom(text: string): string {
  // The public signing-key endpoint answers JSON with a `pem` field; a file holds the PEM itself.
  const trimmed = text.trim();
  return trimmed.startsWith('{') ? (JSON.parse(trimmed) as { pem: string }).pem : trimmed;
}

export function formatResults(results: readonly CheckResult[]): string {
  const lines = results.map((r) => `${r.status.toUpperCase().padEnd(4)}  ${r.name}: ${r.detail}`);
  lines.push(allPassed(results) ? 'RESULT: PASS' : 'RESULT: FAIL');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let options: Options;
  let bundle: AuditBundle;
  let key: string | undefined;
  try {
    options = parseArgs(argv);
    bundle = JSON.parse(await load(options.source)) as AuditBundle;
    key = options.key === undefined ? undefined : keyFrom(await load(options.key));
  } catch (error) {
    process.stderr.write(`${error instanceof UsageError ? USAGE + '\n' : ''}${String(error)}\n`);
    return 2;
  }
  const results = verifyBundle(bundle, { expectedPublicKey: key, receipt: options.receipt });
  process.stdout.write(
    options.json ? `${JSON.stringify(results, null, 2)}\n` : `${formatResults(results)}\n`,
  );
  return allPassed(results) ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
