export { Cluster, type ClusterStartOptions } from "./Cluster.js";
export { ClusterError, type ClusterErrorCode } from "./Errors.js";
export type { ClusterLogger, ClusterOptions, KeepAliveOptions, ReconnectOptions } from "./Options.js";
