// Supabase's gateway answers CORS for any origin and exposes what supabase-js reads.
import { cors } from 'hono/cors';

export const corsMiddleware = cors({
  origin: '*',
  allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: [
    'authorization',
    'x-client-info',
    'apikey',
    'content-type',
    'prefer',
    'range',
    'range-unit',
    'accept',
    'accept-profile',
    'content-profile',
    'x-supabase-api-version',
    'x-retry-count',
  ],
  exposeHeaders: ['content-range', 'content-location', 'location', 'x-supabase-api-version', 'retry-after'],
  maxAge: 3600,
});
