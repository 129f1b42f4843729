import { expect, test } from 'vitest';
import { redactDeep, redactSecrets } from '../../src/domain/redact.ts';

const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXBhcnQ';

test('tokens are removed from any string of a report, keys and nested values included', () => {
  expect(redactSecrets(`refused: Authorization: Bearer ${jwt}`)).toBe(
    'refused: Authorization: Bearer [token removed]',
  );
  expect(redactSecrets(`GET /rest/v1/x?apikey=${jwt}&select=*`)).toBe(
    'GET /rest/v1/x?apikey=[token removed]&select=*',
  );
  expect(redactSecrets('Bearer opaque-refresh_token.value')).toBe('Bearer [token removed]');
  const report = redactDeep({ events: [{ detail: `token ${jwt} expired` }], [jwt]: 1, n: 3, ok: true });
  expect(JSON.stringify(report)).not.toContain(jwt);
  expect(report).toEqual({
    events: [{ detail: 'token [token removed] expired' }],
    '[token removed]': 1,
    n: 3,
    ok: true,
  });
});
