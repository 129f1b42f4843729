import { describe, expect, it } from 'vitest';
import { isStopMessage, normalizeStopText, stopMatcher } from '../../src/domain/stop-keywords.ts';

const DEFAULTS = ['STOP', 'UNSUBSCRIBE', 'CANCEL', 'END', 'ARRÊT', 'STOPP', 'BAJA'];

describe('stop keywords', () => {
  it('normalizes case, accents, punctuation, symbols and spacing', () => {
    expect(normalizeStopText('  ¡Arrêt!! ')).toBe('arret');
    expect(normalizeStopText('Stop 🛑')).toBe('stop');
    expect(normalizeStopText('opt-out')).toBe('opt out');
    expect(normalizeStopText('СТОП')).toBe('стоп');
  });

  it.each([
    ['STOP', true],
    ['stop', true],
    [' Stop. ', true],
    ['STOP!!!', true],
    ['arret', true],
    ['ARRÊT', true],
    ['Baja', true],
    ['unsubscribe', true],
    ['Stop please', false],
    ['Cancel my order', false],
    ['End of the week works for me', false],
    ['stopp', true],
    ['S T O P', false],
    ['', false],
  ])('%j → %s', (text, expected) => {
    expect(isStopMessage(text, DEFAULTS)).toBe(expected);
  });

  it('keywords written with accents or spaces match the same way; blank keywords match nothing', () => {
    const match = stopMatcher(['Opt Out', '  ', 'désabonner']);
    expect(match('opt-out')).toBe(true);
    expect(match('DESABONNER')).toBe(true);
    expect(match('')).toBe(false);
    expect(match('!!!')).toBe(false);
  });
});
