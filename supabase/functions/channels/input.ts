// The bodies of the channels function's requests, checked field by field. A refusal names
// the field and never repeats a credential's value.
import { isObject } from '../_shared/provider-http.ts';

export class InputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Graph ids are numbers written as strings.
const GRAPH_ID = /^\d{5,30}$/;
// A credential: printable, no whitespace (a pasted token often brings a newline along).
const CREDENTIAL = /^[\x21-\x7e]+$/;

function field(body: Record<string, unknown>, name: string): unknown {
  return body[name];
}

function uuid(body: Record<string, unknown>, name: string): string {
  const value = field(body, name);
  if (typeof value !== 'string' || !UUID.test(value)) throw new InputError(name, `${name} must be a uuid`);
  return value.toLowerCase();
}

function graphId(body: Record<string, unknown>, name: string, what: string): string {
  const value = field(body, name);
  if (typeof value !== 'string' || !GRAPH_ID.test(value.trim())) {
    throw new InputError(name, `${name} must be the ${what}: 5 to 30 digits`);
  }
  return value.trim();
}

function credential(body: Record<string, unknown>, name: string, min: number, max: number): string {
  const value = field(body, name);
  if (typeof value !== 'string' || value.trim() === '') throw new InputError(name, `${name} is required`);
  const trimmed = value.trim();
  if (trimmed.length < min || trimmed.length > max || !CREDENTIAL.test(trimmed)) {
    throw new InputError(name, `${name} must be ${min} to ${max} printable characters without spaces`);
  }
  return trimmed;
}

export interface MetaCredentialInput {
  access_token: string;
  app_secret: string;
}

export interface WhapiCredentialInput {
  api_token: string;
}

export type ConnectInput = {
  id: string;
  workspace_id: string;
  name: string;
} & (
  | ({ provider: 'meta'; phone_number_id: string; waba_id: string } & MetaCredentialInput)
  | ({ provider: 'whapi' } & WhapiCredentialInput)
);

export function metaCredentials(body: Record<string, unknown>): MetaCredentialInput {
  return {
    access_token: credential(body, 'access_token', 20, 2048),
    app_secret: credential(body, 'app_secret', 16, 256),
  };
}

export function whapiCredentials(body: Record<string, unknown>): WhapiCredentialInput {
  return { api_token: credential(body, 'api_token', 10, 512) };
}

export function objectBody(payload: unknown): Record<string, unknown> {
  if (!isObject(payload)) throw new InputError('body', 'the request body must be a JSON object');
  return payload;
}

export function connectInput(payload: unknown): ConnectInput {
  const body = objectBody(payload);
  const name = field(body, 'name');
  if (typeof name !== 'string' || name.trim().length < 1 || name.trim().length > 100) {
    throw new InputError('name', 'name must be 1 to 100 characters');
  }
  const common = {
    id: body.id === undefined ? crypto.randomUUID() : uuid(body, 'id'),
    workspace_id: uuid(body, 'workspace_id'),
    name: name.trim(),
  };
  if (body.provider === 'meta') {
    return {
      ...common,
      provider: 'meta',
      phone_number_id: graphId(body, 'phone_number_id', 'phone number ID of WhatsApp Manager'),
      waba_id: graphId(body, 'waba_id', 'WhatsApp Business Account ID'),
      ...metaCredentials(body),
    };
  }
  if (body.provider === 'whapi') return { ...common, provider: 'whapi', ...whapiCredentials(body) };
  throw new InputError('provider', 'provider must be "meta" or "whapi"');
}
