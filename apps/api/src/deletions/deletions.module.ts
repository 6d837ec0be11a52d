import { Module } from '@nestjs/common';
import { PlansModule } from '../plans/plans.module';
import { DeletionService } from './deletion.service';
import { DeletionsController } from './deletions.controller';
import { OrphanSweeper } from './orphan-sweeper';

@Module({ imports: [PlansModule], controllers: [DeletionsController], providers: [DeletionService, OrphanSweeper] })
export class DeletionsModule {}
