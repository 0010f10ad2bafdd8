import { authConfig, kafkaConfig, loadConfigOrExit, mysqlConfig, parseConfig, runtimeConfig, servicePortsConfig } from '@waimai/platform';

const productsConfig = runtimeConfig.extend(mysqlConfig.shape).extend(kafkaConfig.shape).extend(authConfig.shape).extend(servicePortsConfig.shape);
export type ProductsConfig = ReturnType<typeof productsConfig.parse>;

/** Parses the products service's configuration; throws ConfigError listing every problem. */
export function loadProductsConfig(env: Record<string, string | undefined>): ProductsConfig {
  return parseConfig(productsConfig, env);
}

export function productsConfigOrExit(): ProductsConfig {
  return loadConfigOrExit(productsConfig);
}
