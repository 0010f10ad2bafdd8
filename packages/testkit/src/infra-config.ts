import { kafkaConfig, mysqlConfig, parseConfig, redisConfig, runtimeConfig, type z } from '@waimai/platform';

/** What tests need to reach MySQL, Redis and Kafka, with this run's prefixes (see run-env.ts). */
export const testInfraSchema = runtimeConfig.extend(mysqlConfig.shape).extend(redisConfig.shape).extend(kafkaConfig.shape);
export type TestInfraConfig = z.infer<typeof testInfraSchema>;

export function testInfraConfig(env: NodeJS.ProcessEnv = process.env): TestInfraConfig {
  return parseConfig(testInfraSchema, env);
}
