//! `/metrics` as a scraper reads it: a strict parser of the Prometheus text format (0.0.4), so a
//! malformed line fails the test that scraped it.

use super::TestApp;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// One scrape: each series (`name{labels}` as exposed) and its value, and each family's type.
#[derive(Debug, Clone)]
pub struct Scrape {
    pub samples: BTreeMap<String, f64>,
    pub types: BTreeMap<String, String>,
    pub text: String,
}

impl Scrape {
    /// Parses `text`, panicking at the first line that is not a comment, `# HELP`, `# TYPE` or a
    /// sample whose family was typed before it.
    pub fn parse(text: &str) -> Self {
        let mut samples = BTreeMap::new();
        let mut types = BTreeMap::new();
        for line in text.lines().filter(|l| !l.is_empty()) {
            if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').unwrap_or_else(|| panic!("{line}"));
                assert!(
                    ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                    "unknown type in {line:?}"
                );
                types.insert(name.to_owned(), kind.to_owned());
                continue;
            }
            if line.starts_with('#') {
                continue;
            }
            let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
            let value: f64 = match value {
                "+Inf" => f64::INFINITY,
                "-Inf" => f64::NEG_INFINITY,
                "NaN" => f64::NAN,
                v => v
                    .parse()
                    .unwrap_or_else(|_| panic!("bad value in {line:?}")),
            };
            let name = series.split('{').next().unwrap_or_default();
            assert!(
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
                "bad metric name in {line:?}"
            );
            if let Some(labels) = series.strip_prefix(name)
                && !labels.is_empty()
            {
                assert!(
                    labels.starts_with('{') && labels.ends_with('}'),
                    "bad labels in {line:?}"
                );
            }
            assert!(
                family_of(name, &types).is_some(),
                "sample {line:?} before its # TYPE"
            );
            assert!(
                samples.insert(series.to_owned(), value).is_none(),
                "series {series} exposed twice"
            );
        }
        Self {
            samples,
            types,
            text: text.to_owned(),
        }
    }

    /// The value of `series`, 0 when it is not exposed (a counter not yet incremented).
    pub fn value(&self, series: &str) -> f64 {
        self.samples.get(series).copied().unwrap_or(0.0)
    }

    /// Whether any sample of the metric family `name` is exposed.
    pub fn has_family(&self, name: &str) -> bool {
        self.samples
            .keys()
            .any(|s| family_of(s.split('{').next().unwrap_or_default(), &self.types) == Some(name))
    }

    /// Whether a sample named `name` (a histogram's `_bucket`, `_sum`, `_count` included) is
    /// exposed.
    pub fn has_sample_named(&self, name: &str) -> bool {
        self.samples
            .keys()
            .any(|s| s.split('{').next() == Some(name))
    }
}

/// The family a sample name belongs to: itself, or a histogram's `_bucket`/`_sum`/`_count`.
fn family_of<'a>(name: &'a str, types: &BTreeMap<String, String>) -> Option<&'a str> {
    if types.contains_key(name) {
        return Some(name);
    }
    ["_bucket", "_sum", "_count"]
        .iter()
        .filter_map(|suffix| name.strip_suffix(suffix))
        .find(|base| {
            types
                .get(*base)
                .is_some_and(|t| t == "histogram" || t == "summary")
        })
}

impl TestApp {
    /// `GET /metrics`, which must answer 200 in the Prometheus text format.
    pub async fn scrape(&self) -> Scrape {
        let reply = self.get("/metrics").await;
        assert_eq!(reply.status, 200, "{reply:#?}");
        let content_type = reply.header("content-type").unwrap_or_default();
        assert!(
            content_type.starts_with("text/plain; version=0.0.4"),
            "{content_type}"
        );
        Scrape::parse(&reply.text)
    }

    /// Scrapes until `series` satisfies `ok` (sampled gauges and the mail worker lag behind).
    pub async fn scrape_until(&self, series: &str, ok: impl Fn(f64) -> bool) -> Scrape {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let scrape = self.scrape().await;
            if ok(scrape.value(series)) {
                return scrape;
            }
            assert!(
                Instant::now() < deadline,
                "{series} is {} after 10 s:\n{}",
                scrape.value(series),
                scrape.text
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
