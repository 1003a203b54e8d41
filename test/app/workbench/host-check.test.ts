/** Which Host and Origin headers the workbench serves, for loopback, IPv6 and all-interfaces binds. */
import { describe, expect, it } from 'vitest';
import { allowedHosts, isAllowedHost, isAllowedOrigin } from '../../../app/workbench/host-check.js';

describe('host check', () => {
  it('on 127.0.0.1 accepts that address and localhost on the bound port only', () => {
    const allowed = allowedHosts('127.0.0.1', 8737);
    expect([...allowed].sort()).toEqual(['127.0.0.1:8737', 'localhost:8737']);
    expect(isAllowedHost('127.0.0.1:8737', allowed)).toBe(true);
    expect(isAllowedHost('LOCALHOST:8737', allowed)).toBe(true);
    for (const bad of ['127.0.0.1', '127.0.0.1:80', 'evil.example:8737', 'localhost.evil.example:8737', '', undefined]) {
      expect(isAllowedHost(bad, allowed), String(bad)).toBe(false);
    }
  });

  it('on ::1 expects the bracketed form', () => {
    const allowed = allowedHosts('::1', 9000);
    expect(isAllowedHost('[::1]:9000', allowed)).toBe(true);
    expect(isAllowedHost('::1:9000', allowed)).toBe(false);
  });

  it('on a non-loopback address does not accept localhost', () => {
    const allowed = allowedHosts('198.18.0.5', 9000);
    expect([...allowed]).toEqual(['198.18.0.5:9000']);
  });

  it('on 0.0.0.0 accepts the machine’s own addresses, never a foreign name', () => {
    const allowed = allowedHosts('0.0.0.0', 9000);
    expect(isAllowedHost('127.0.0.1:9000', allowed)).toBe(true);
    expect(isAllowedHost('localhost:9000', allowed)).toBe(true);
    expect(isAllowedHost('evil.example:9000', allowed)).toBe(false);
  });

  it('accepts no Origin or our own; refuses others, null and non-http origins', () => {
    const allowed = allowedHosts('127.0.0.1', 8737);
    expect(isAllowedOrigin(undefined, allowed)).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1:8737', allowed)).toBe(true);
    expect(isAllowedOrigin('http://localhost:8737', allowed)).toBe(true);
    for (const bad of ['http://evil.example', 'http://127.0.0.1:8738', 'null', 'https://127.0.0.1:8737', 'file://', 'garbage']) {
      expect(isAllowedOrigin(bad, allowed), bad).toBe(false);
    }
  });
});
