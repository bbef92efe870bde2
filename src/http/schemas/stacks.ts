import { Type } from '@sinclair/typebox';
import { DateTime, Nullable, StringEnum } from './common.js';

export const STACK_ORIGINS = ['auto_burst', 'user'] as const;

export const StackResponse = Type.Object(
  {
    id: Type.String({ description: "Stack id ('asset_stack_' prefix)" }),
    asset_count: Type.Integer({ description: 'Live members only: trashed members are not counted (can be below 2)' }),
    origin: StringEnum(STACK_ORIGINS, { description: 'auto_burst = made by burst detection; user = created or edited by a user' }),
    created_at: DateTime(),
    updated_at: DateTime(),
    primary_asset_id: Nullable(Type.String({ description: 'The pinned cover; null when none is pinned' })),
  },
  { $id: 'StackResponse', title: 'StackResponse' },
);

export const stackSchemas = [StackResponse];
