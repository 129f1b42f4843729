// The verified-token cache must never turn a bad token good: tampered, foreign-secret and
// expired tokens are refused even right after the good one was cached.
import { expect, test } from 'vitest';
import { signJwt, verifyJwtCached } from '../../supabase/local/jwt.ts';
import { tamperSignature } from '../support/tamper.ts';

const secret = 'a-test-secret-that-is-at-least-32-characters';

test('a cached token is accepted; tampered or foreign-secret tokens are not', async () => {
  const token = await signJwt(
    { role: 'authenticated', sub: 'u1', exp: Math.floor(Date.now() / 1000) + 60 },
    secret,
  );
  expect(await verifyJwtCached(token, secret)).toMatchObject({ ok: true, claims: { sub: 'u1' } });
  expect(await verifyJwtCached(token, secret)).toMatchObject({ ok: true, claims: { sub: 'u1' } });
  const tampered = tamperSignature(token);
  expect(await verifyJwtCached(tampered, secret)).toMatchObject({ ok: false, reason: 'invalid' });
  expect(await verifyJwtCached(token, 'another-secret-that-is-at-least-32-characters')).toMatchObject({
    ok: false,
  });
});

test('a cached token stops being accepted when it expires', async () => {
  const token = await signJwt(
    { role: 'authenticated', sub: 'u2', exp: Math.floor(Date.now() / 1000) + 1 },
    secret,
  );
  expect((await verifyJwtCached(token, secret)).ok).toBe(true);
  await new Promise((r) => setTimeout(r, 2100));
  expect(await verifyJwtCached(token, secret)).toMatchObject({ ok: false, reason: 'expired' });
});
