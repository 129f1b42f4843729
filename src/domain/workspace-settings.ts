/**
 * A workspace's settings as owners edit them (issue 15, item 13), checked as the table checks
 * them (supabase/migrations: name 1..100 characters, an IANA time zone, an ISO 3166-1 alpha-2
 * country), and the defaults a new workspace takes from the browser that signs up.
 */
import { isSupportedCountry } from 'libphonenumber-js/max';
import { checkText } from './field-checks.ts';
import type { Result } from './result.ts';

export interface WorkspaceSettings {
  name: string;
  time_zone: string;
  default_country: string;
}

/** Whether the runtime knows `zone` as an IANA time zone (UTC always). */
export function isTimeZone(zone: string): boolean {
  if (zone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.length <= 64;
  } catch {
    return false;
  }
}

export function checkWorkspaceSettings(input: WorkspaceSettings): Result<WorkspaceSettings> {
  const name = checkText('Workspace name', input.name, { min: 1, max: 100 });
  if (!name.ok) return name;
  const zone = input.time_zone.trim();
  if (!isTimeZone(zone))
    return { ok: false, error: `Time zone: "${zone}" is not a time zone; pick one from the list` };
  const country = input.default_country.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(country) || !isSupportedCountry(country))
    return { ok: false, error: `Default country: "${input.default_country}" is not a country code` };
  return { ok: true, value: { name: name.value, time_zone: zone, default_country: country } };
}

/** The country of the first locale that names one ("pt-PT" → PT, "fr" → FR by likely subtags). */
export function countryOfLocales(locales: readonly string[]): string | undefined {
  for (const tag of locales) {
    try {
      const region = new Intl.Locale(tag).maximize().region;
      if (region && /^[A-Z]{2}$/.test(region) && isSupportedCountry(region)) return region;
    } catch {
      // Not a locale tag: try the next.
    }
  }
  return undefined;
}

/** What a new workspace starts from: the browser's time zone and its locale's country. */
export function signUpDefaults(
  timeZone: string | undefined,
  locales: readonly string[],
): Partial<Pick<WorkspaceSettings, 'time_zone' | 'default_country'>> {
  const country = countryOfLocales(locales);
  return {
    ...(timeZone && isTimeZone(timeZone) ? { time_zone: timeZone } : {}),
    ...(country ? { default_country: country } : {}),
  };
}
