import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ApiKeyInfo, ApiKeyStore, env, hashApiKey } from '@upm/platform';

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

export class UnsafeStartError extends Error {}

const BOOTSTRAP_ID = 'bootstrap';

/**
 * Who may do what. AUTH=on: a key is always needed; AUTH=off: never; AUTH=auto (default): a key is needed once
 * one exists (BOOTSTRAP_API_KEY, or a key created with `upm server keys create`), and always on a non-loopback
 * HOST, where start-up refuses to go on without one. Looked-up keys are cached for API_KEY_CACHE_MS.
 */
@Injectable()
export class AuthPolicy {
  private readonly logger = new Logger('Auth');
  private readonly store: ApiKeyStore;
  private readonly mode: 'auto' | 'on' | 'off';
  private readonly loopback: boolean;
  private readonly host: string;
  private readonly cacheMs: number;
  private readonly bootstrapHash?: Buffer;
  private readonly metricsToken?: string;
  private readonly cache = new Map<string, { key: ApiKeyInfo | null; until: number }>();
  private anyKey: { value: boolean; until: number } = { value: false, until: 0 };

  constructor(config: ConfigService, dataSource: DataSource) {
    this.store = new ApiKeyStore(dataSource);
    this.mode = env(config, 'AUTH');
    this.host = env(config, 'HOST');
    this.loopback = isLoopbackHost(this.host);
    this.cacheMs = env(config, 'API_KEY_CACHE_MS');
    const bootstrap = config.get<string>('BOOTSTRAP_API_KEY');
    if (bootstrap) this.bootstrapHash = Buffer.from(hashApiKey(bootstrap), 'hex');
    this.metricsToken = config.get<string>('METRICS_TOKEN');
  }

  /** Called before listening: exits (throws) on an exposed address with no key, and says what runs open. */
  async assertSafeToServe(): Promise<void> {
    if (this.mode === 'off') {
      this.logger.warn(`AUTH=off: every route is open to anyone who can reach ${this.host}`);
      return;
    }
    if (this.mode === 'on' || this.bootstrapHash) return;
    const keys = await this.store.countActive();
    if (keys > 0) return;
    if (!this.loopback)
      throw new UnsafeStartError(
        `HOST=${this.host} is not a loopback address and no API key is configured: set BOOTSTRAP_API_KEY, ` +
          'or create a key with `upm server keys create --scope write --name NAME` (DATABASE_URL), ' +
          'or set AUTH=off to run without authentication',
      );
    this.logger.warn(
      `no API key configured: the API is open on loopback (${this.host}) until one is created; set AUTH=on to require keys`,
    );
  }

  /** Whether requests need a key right now. */
  async enforced(): Promise<boolean> {
    if (this.mode === 'off') return false;
    if (this.mode === 'on' || this.bootstrapHash || !this.loopback) return true;
    const now = Date.now();
    if (now >= this.anyKey.until) this.anyKey = { value: (await this.store.countActive()) > 0, until: now + this.cacheMs };
    return this.anyKey.value;
  }

  /** The active key with this value, or null (unknown or revoked). */
  async lookup(key: string): Promise<ApiKeyInfo | null> {
    if (this.bootstrapHash) {
      const h = Buffer.from(hashApiKey(key), 'hex');
      if (timingSafeEqual(h, this.bootstrapHash))
        return { id: BOOTSTRAP_ID, name: 'BOOTSTRAP_API_KEY', scope: 'write', prefix: key.slice(0, 12), createdAt: '', revokedAt: null };
    }
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now < hit.until) return hit.key;
    const found = await this.store.findActive(key);
    if (this.cacheMs > 0) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, { key: found, until: now + this.cacheMs });
    }
    return found;
  }

  isMetricsToken(token: string): boolean {
    if (!this.metricsToken) return false;
    const a = Buffer.from(hashApiKey(token), 'hex');
    return timingSafeEqual(a, Buffer.from(hashApiKey(this.metricsToken), 'hex'));
  }
}
