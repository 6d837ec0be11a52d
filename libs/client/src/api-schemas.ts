/**
 * The API's response types, named: aliases of the schemas generated from its OpenAPI document (api-types.ts),
 * for the CLI, the scripts and the web UI alike. Types only (browser-safe).
 */
import type { PlanResult } from '@upm/model/plan/result';
import type { components } from './api-types';

export type ApiSchemas = components['schemas'];

/** A plan as GET /v1/plans (and POST) answer it. */
export type PlanStatus = ApiSchemas['PlanStatusDto'];

/** A plan as GET /v1/plans/:id answers it: its status with the result, once there is one. */
export type PlanWithResult = PlanStatus & { result?: PlanResult | null };
