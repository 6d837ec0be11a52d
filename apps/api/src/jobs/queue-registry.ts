import { getQueueToken } from '@nestjs/bull';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ALL_QUEUES, QueueName } from '@upm/jobs';
import type { Queue } from 'bull';

/** The producer side of every queue, by name. */
@Injectable()
export class QueueRegistry {
  constructor(private readonly moduleRef: ModuleRef) {}

  get(name: QueueName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }

  all(): Array<[QueueName, Queue]> {
    return ALL_QUEUES.map((n) => [n, this.get(n)]);
  }
}
