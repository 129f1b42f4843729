// Hosted Supabase entry point: the same handler the local stack mounts.
import { createHandler } from './handler.ts';

// Deno's own global, declared here so the project's Node type check accepts this file.
declare const Deno: {
  env: { toObject(): Record<string, string> };
  serve(handler: (req: Request) => Promise<Response>): unknown;
};

Deno.serve(createHandler(Deno.env.toObject()));
