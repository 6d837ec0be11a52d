import { Module } from '@nestjs/common';
import { AuthGuard } from './auth.guard';
import { AuthPolicy } from './auth-policy.service';

/** API keys: the policy (modes, lookup, start-up check) and the guard AppModule installs globally. */
@Module({
  providers: [AuthPolicy, AuthGuard],
  exports: [AuthPolicy, AuthGuard],
})
export class AuthModule {}
