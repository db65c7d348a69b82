//! The standard `process_*` metrics (resident memory, CPU time, open descriptors, start time,
//! threads), read from the OS at each scrape. Register it on a registry without a prefix: these
//! names are shared by every Prometheus exporter.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use std::fmt;

#[derive(Debug, Default)]
pub struct ProcessCollector;

fn gauge(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: Option<f64>,
) -> Result<(), fmt::Error> {
    if let Some(v) = value {
        let metric = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
        ConstGauge::new(v).encode(metric)?;
    }
    Ok(())
}

#[allow(clippy::cast_precision_loss)]
fn float(v: Option<u64>) -> Option<f64> {
    v.map(|v| v as f64)
}

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), fmt::Error> {
        let m = metrics_process::collector::collect();
        if let Some(cpu) = m.cpu_seconds_total {
            let metric = encoder.encode_descriptor(
                "process_cpu_seconds",
                "Total user and system CPU time spent in seconds",
                None,
                MetricType::Counter,
            )?;
            ConstCounter::new(cpu).encode(metric)?;
        }
        let e = &mut encoder;
        gauge(
            e,
            "process_resident_memory_bytes",
            "Resident memory size in bytes",
            float(m.resident_memory_bytes),
        )?;
        gauge(
            e,
            "process_virtual_memory_bytes",
            "Virtual memory size in bytes",
            float(m.virtual_memory_bytes),
        )?;
        gauge(
            e,
            "process_open_fds",
            "Number of open file descriptors",
            float(m.open_fds),
        )?;
        gauge(
            e,
            "process_max_fds",
            "Maximum number of open file descriptors",
            float(m.max_fds),
        )?;
        gauge(
            e,
            "process_start_time_seconds",
            "Start time of the process since the Unix epoch in seconds",
            float(m.start_time_seconds),
        )?;
        gauge(
            e,
            "process_threads",
            "Number of OS threads in the process",
            float(m.threads),
        )?;
        Ok(())
    }
}
