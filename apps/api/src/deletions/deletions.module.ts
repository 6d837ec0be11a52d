import { Module } from '@nestjs/common';
import { DeletionService } from './deletion.service';
import { DeletionsController } from './deletions.controller';
import { OrphanSweeper } from './orphan-sweeper';

@Module({ controllers: [DeletionsController], providers: [DeletionService, OrphanSweeper] })
export class DeletionsModule {}
