export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}
export interface JsonFileResult {
  name: string;
  status: 'passed' | 'failed';
  message?: string;
  assertionResults: Array<{ ancestorTitles: string[]; title: string; status: string }>;
  failedHooks?: Array<{ suite: string[]; message: string }>;
}
export interface JsonReport {
  success?: boolean;
  testResults: JsonFileResult[];
  [key: string]: unknown;
}
export function countFile(file: JsonFileResult): Counts;
export function countReport(report: JsonReport | null | undefined): Counts;
export function formatTotals(counts: Counts): string;
export function totalsLine(reports: Array<JsonReport | null>): string;
