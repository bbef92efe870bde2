import { Type } from '@sinclair/typebox';
import { DateTime, Nullable } from './common.js';

export const LibraryResponse = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    asset_count: Type.Integer(),
    storage_used_bytes: Type.Integer(),
    storage_limit_bytes: Nullable(Type.Integer()),
    user_id: Type.String(),
    created_at: DateTime(),
    updated_at: DateTime(),
    trashed_at: Nullable(DateTime()),
  },
  { $id: 'LibraryResponse', title: 'LibraryResponse' },
);

export const UserResponse = Type.Object(
  {
    id: Type.String(),
    created_at: DateTime(),
    updated_at: DateTime(),
    is_active: Type.Boolean(),
    is_superuser: Type.Boolean(),
    is_verified: Type.Boolean(),
    storage_limit_bytes: Type.Integer({ description: 'Cap on stored bytes; 2^53-1 when the server sets no cap' }),
    storage_used_bytes: Type.Integer(),
    email: Nullable(Type.String()),
    first_name: Nullable(Type.String()),
    last_name: Nullable(Type.String()),
    timezone: Nullable(Type.String()),
  },
  { $id: 'UserResponse', title: 'UserResponse' },
);

export const librarySchemas = [LibraryResponse, UserResponse];
