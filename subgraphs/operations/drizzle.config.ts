import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'mysql',
  schema: ['./src/db/schema.ts', '../../packages/platform/src/outbox.ts'],
  out: './drizzle',
});
