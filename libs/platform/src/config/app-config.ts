import { ConfigService } from '@nestjs/config';
import { EnvironmentVariables } from './environment';

/** Typed read of one validated variable. */
export function env<K extends keyof EnvironmentVariables>(
  config: ConfigService,
  key: K,
): EnvironmentVariables[K] {
  return config.getOrThrow(key as string);
}
