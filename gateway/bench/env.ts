import { kafkaConfig, parseConfig, z } from '@waimai/platform';

const fanOutBenchConfig = kafkaConfig.extend({
  // 200 000 offers: a few seconds of work per measurement, long enough to swamp timer noise.
  EVENTS: z.coerce.number().int().positive().default(200_000),
  // The riders offers go to (the whole city); N of them are connected to the measured process.
  RIDERS: z.coerce.number().int().positive().default(100_000),
});
export type FanOutBenchConfig = z.infer<typeof fanOutBenchConfig>;

export function fanOutBenchConfigFromEnv(): FanOutBenchConfig {
  return parseConfig(fanOutBenchConfig, process.env);
}
