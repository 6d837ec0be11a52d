import { Command, Option } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PlanResult } from '@upm/model';
import { ApiClient, CliError, fetchPlanResult, planReportHtml, type ReportBundle } from '@upm/client';

/** dist/web-report (npm run build:web), seen from the built CLI or from its sources. */
export function reportBundle(): ReportBundle {
  for (const dir of [resolve(__dirname, '../../../../web-report'), resolve(__dirname, '../../../../dist/web-report')]) {
    const js = join(dir, 'report.js');
    if (existsSync(js)) return { js: readFileSync(js, 'utf8'), css: existsSync(join(dir, 'report.css')) ? readFileSync(join(dir, 'report.css'), 'utf8') : '' };
  }
  throw new CliError('the report charts are not built: run npm run build:web first');
}

/** Reads a PlanResult JSON file (upm plan run --json, upm plan watch --json, or the web UI's download). */
function readResultFile(file: string): PlanResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text) as PlanResult;
  } catch (e) {
    throw new CliError(`${file} is not JSON: ${(e as Error).message}`);
  }
}

/** `upm plan report PLAN_ID_OR_RESULT.json -o report.html`: one self-contained HTML page with the plan's charts. */
export function registerPlanReportCommand(plan: Command): void {
  plan
    .command('report')
    .description('write one self-contained HTML file (charts and data inlined, opens offline) for a plan id or a result JSON file')
    .argument('<plan>', 'a plan id on the server (--api), or a PlanResult JSON file (upm plan run --json > result.json)')
    .requiredOption('-o, --out <file>', 'the HTML file to write')
    .addOption(new Option('--api <url>', 'API base URL (for a plan id)').default(process.env.UPM_API_URL ?? 'http://127.0.0.1:3000'))
    .addOption(new Option('--api-key <key>', 'API key (default: $UPM_API_KEY)'))
    .action(async (ref: string, opts: { out: string; api: string; apiKey?: string }) => {
      const isFile = existsSync(ref) || /\.json$/i.test(ref);
      const result = isFile ? readResultFile(ref) : await fetchPlanResult(new ApiClient(opts.api, opts.apiKey), ref);
      let html: string;
      try {
        html = planReportHtml(result, reportBundle(), { id: isFile ? null : ref });
      } catch (e) {
        if (e instanceof TypeError) throw new CliError(`${ref}: ${e.message}`);
        throw e;
      }
      try {
        writeFileSync(opts.out, html);
      } catch (e) {
        throw new CliError(`cannot write ${opts.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      process.stderr.write(`wrote ${opts.out} (${(html.length / 1024).toFixed(0)} KiB)\n`);
    });
}
