/** What one benchmark reports; run.ts writes it to bench-results/<name>.json. */
export interface BenchResult {
  name: string;
  description: string;
  figures: Record<string, number | string>;
  /** Goals the run missed that the benchmark holds (the run then exits with 1). */
  missed?: string[];
}
