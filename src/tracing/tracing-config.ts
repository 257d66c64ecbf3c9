/**
 * Whether OpenTelemetry tracing is configured, decided from the standard `OTEL_*` variables
 * alone and without loading any of OpenTelemetry, so that a server without them pays nothing:
 * on when an OTLP endpoint or a traces exporter other than `none` is named, and
 * `OTEL_SDK_DISABLED=true` is not set. Everything else (endpoint, protocol, headers, sampler,
 * service name, batch delays) is read by the OpenTelemetry SDK itself from the same variables.
 */

type Env = Readonly<Record<string, string | undefined>>;

/** True when the variables ask for trace export. */
export function tracingConfigured(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (exporters.length > 0) return !exporters.every((e) => e === 'none');
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}
