import { authConfig, kafkaConfig, loadConfigOrExit, mysqlConfig, parseConfig, runtimeConfig, servicePortsConfig, z } from '@waimai/platform';

const operationsConfig = runtimeConfig.extend(mysqlConfig.shape).extend(kafkaConfig.shape).extend(authConfig.shape).extend(servicePortsConfig.shape);
export type OperationsConfig = z.infer<typeof operationsConfig>;

export function loadOperationsConfig(env: Record<string, string | undefined>): OperationsConfig {
  return parseConfig(operationsConfig, env);
}

export function operationsConfigOrExit(): OperationsConfig {
  return loadConfigOrExit(operationsConfig);
}
