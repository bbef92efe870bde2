import { describe, expect, it } from 'vitest';
import { ConfigError, configHelp, loadConfig } from '../src/config.js';

describe('EUCALYPT_TRASH_RETENTION_DAYS', () => {
  it('defaults to 90 days and accepts whole or fractional days, 0 included', () => {
    expect(loadConfig({}).trashRetentionDays).toBe(90);
    expect(loadConfig({ EUCALYPT_TRASH_RETENTION_DAYS: '30' }).trashRetentionDays).toBe(30);
    expect(loadConfig({ EUCALYPT_TRASH_RETENTION_DAYS: '0' }).trashRetentionDays).toBe(0);
    expect(loadConfig({ EUCALYPT_TRASH_RETENTION_DAYS: '0.5' }).trashRetentionDays).toBe(0.5);
    expect(loadConfig({ EUCALYPT_TRASH_RETENTION_DAYS: '' }).trashRetentionDays).toBe(90);
  });
  it.each(['-1', 'ninety', 'Infinity', '40000'])('rejects %j with a message naming the variable', (raw) => {
    expect(() => loadConfig({ EUCALYPT_TRASH_RETENTION_DAYS: raw })).toThrow(ConfigError);
    expect(() => loadConfig({ EUCALYPT_TRASH_RETENTION_DAYS: raw })).toThrow(/EUCALYPT_TRASH_RETENTION_DAYS/);
  });
  it('is listed by eucalypt --help with its default', () => {
    expect(configHelp()).toMatch(/EUCALYPT_TRASH_RETENTION_DAYS\s+.*\(default: 90\)/);
  });
});
