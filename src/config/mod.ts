export { loadConfig, ConfigError, type LoadedConfig } from "./load.ts";
export { configSchema, appSchema, limitsSchema, type Config, type AppConfig, type AppLimits } from "./schema.ts";
