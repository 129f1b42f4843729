// The WhatsApp numbers the simulator serves, as a provider's account knows them: each with
// its wire format (Cloud API or Whapi), its current token (any other is refused, as the real
// APIs refuse unknown tokens), its webhook, and what test connection and template sync read.
// Simulator channels need no registration: any phone_number_id is a Cloud API number of the
// stack's default account (its token and app secret), with webhooks to
// `${defaultWebhookUrl}/${phone_number_id}`.
import { randomBytes } from 'node:crypto';
import type { GraphTemplate } from '../../functions/_shared/cloud-api.ts';

export type WireFormat = 'cloud' | 'whapi';

export interface SimNumber {
  /** Cloud API: the phone_number_id; Whapi: the channel id. */
  id: string;
  format: WireFormat;
  /** The token the API accepts for this number now; '' once revoked. */
  token: string;
  /** Cloud API: signs webhooks and appsecret_proof. */
  appSecret: string;
  /** Cloud API: the WhatsApp Business Account holding the number and its templates. */
  wabaId: string;
  /** Digits, as providers write it. */
  displayPhoneNumber: string;
  verifiedName: string;
  qualityRating: string;
  /** Whapi: the WhatsApp session's state (GET /health): AUTH when logged in. */
  session: string;
  templates: GraphTemplate[];
  /** Cloud API: refuse free text to a customer who has not written within 24 hours (131047). */
  enforceWindow: boolean;
  /** Where events go: the URL, and for Whapi the headers its settings asked for. */
  webhook: { url: string; headers: Record<string, string> } | null;
  /** Whether this is the default account's implicit number (a simulator channel). */
  implicit: boolean;
}

export interface NumberSpec {
  format: WireFormat;
  display_phone_number?: string;
  verified_name?: string;
  quality_rating?: string;
  templates?: GraphTemplate[];
  enforce_window?: boolean;
}

export const DEFAULT_TEMPLATES: GraphTemplate[] = [
  {
    id: '1000000000000001',
    name: 'order_update',
    language: 'en_US',
    category: 'UTILITY',
    status: 'APPROVED',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
      { type: 'BODY', text: 'Hello {{1}}, your order is on its way to {{2}}.' },
      { type: 'FOOTER', text: 'Reply STOP to opt out' },
    ],
  },
  {
    id: '1000000000000002',
    name: 'welcome',
    language: 'en_US',
    category: 'MARKETING',
    status: 'APPROVED',
    components: [{ type: 'BODY', text: 'Welcome to our shop!' }],
  },
  {
    id: '1000000000000003',
    name: 'spring_sale',
    language: 'en_US',
    category: 'MARKETING',
    status: 'PENDING',
    components: [{ type: 'BODY', text: 'Spring sale: {{1}} off everything.' }],
  },
  {
    id: '1000000000000004',
    name: 'win_big',
    language: 'en_US',
    category: 'MARKETING',
    status: 'REJECTED',
    rejected_reason: 'PROMOTIONAL',
    components: [{ type: 'BODY', text: 'You won! Click now.' }],
  },
];

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const digits = (n: number) =>
  Array.from(randomBytes(n), (b) => String(b % 10))
    .join('')
    .replace(/^0/, '1');

export interface DefaultAccount {
  token: string;
  appSecret: string;
  /** Base URL of the implicit numbers' webhooks (the stack's /functions/v1/webhooks). */
  webhookUrl: string;
  displayPhoneNumber: string;
}

export function numberRegistry(defaults: DefaultAccount) {
  const numbers = new Map<string, SimNumber>();

  function implicitNumber(id: string): SimNumber {
    return {
      id,
      format: 'cloud',
      token: defaults.token,
      appSecret: defaults.appSecret,
      wabaId: 'simulator-waba',
      displayPhoneNumber: defaults.displayPhoneNumber,
      verifiedName: 'Pigeon Simulator',
      qualityRating: 'GREEN',
      session: 'AUTH',
      templates: DEFAULT_TEMPLATES,
      enforceWindow: false,
      webhook: null,
      implicit: true,
    };
  }

  return {
    /** Registers a number as a provider's dashboard would create one, with fresh credentials. */
    add(spec: NumberSpec): SimNumber {
      const number: SimNumber = {
        id: spec.format === 'cloud' ? digits(15) : `SIM-${hex(3).toUpperCase()}`,
        format: spec.format,
        token: spec.format === 'cloud' ? `EAAG${hex(40)}` : hex(16),
        appSecret: hex(16),
        wabaId: digits(15),
        displayPhoneNumber: spec.display_phone_number ?? `1555${digits(7)}`,
        verifiedName: spec.verified_name ?? 'Simulated Business',
        qualityRating: spec.quality_rating ?? 'GREEN',
        session: 'AUTH',
        templates: spec.templates ?? DEFAULT_TEMPLATES,
        enforceWindow: spec.enforce_window ?? false,
        webhook: null,
        implicit: false,
      };
      numbers.set(number.id, number);
      return number;
    },
    /** The number with this id: registered, or else an implicit number of the default account. */
    get(id: string): SimNumber {
      let number = numbers.get(id);
      if (!number) {
        number = implicitNumber(id);
        numbers.set(id, number);
      }
      // The stack may learn its own URL after the simulator started.
      if (number.implicit)
        number.webhook = defaults.webhookUrl ? { url: `${defaults.webhookUrl}/${id}`, headers: {} } : null;
      return number;
    },
    registered(id: string): SimNumber | undefined {
      const number = numbers.get(id);
      return number && !number.implicit ? number : undefined;
    },
    /** The Whapi number whose current token this is. */
    whapiByToken(token: string): SimNumber | undefined {
      return [...numbers.values()].find((n) => n.format === 'whapi' && n.token !== '' && n.token === token);
    },
    /** A Cloud API number of this WABA that this token may act for. */
    wabaNumbers(wabaId: string, token: string): SimNumber[] {
      return [...numbers.values()].filter(
        (n) => n.format === 'cloud' && n.wabaId === wabaId && n.token === token,
      );
    },
    /** Issues a new token; the old one stops working. */
    rotateToken(number: SimNumber): string {
      number.token = number.format === 'cloud' ? `EAAG${hex(40)}` : hex(16);
      return number.token;
    },
    all: () => [...numbers.values()],
  };
}

export type NumberRegistry = ReturnType<typeof numberRegistry>;
