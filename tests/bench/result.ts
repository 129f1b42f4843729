/** What one benchmark reports; run.ts writes it to bench-results/<name>.json. */
export interface BenchResult {
  name: string;
  description: string;
  figures: Record<string, number | string>;
}
