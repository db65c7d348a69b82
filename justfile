# The everyday commands. Each is a thin wrapper: the cargo command underneath works on its own.

# List the recipes.
default:
    @just --list

# Run the service on 127.0.0.1:3000 (in-memory storage, mail to ./var/mail).
run:
    cargo run -p authd

# Run the service on PostgreSQL: `just run-pg postgres://authd:pw@localhost:5432/authd`
# (with MFA_ENCRYPTION_KEY exported; see docs/mfa.md).
run-pg url:
    DATABASE_URL={{url}} cargo run -p authd

# The production setup: `just run-prod postgres://... redis://... smtp.example.com` (see README).
run-prod db redis smtp:
    DATABASE_URL={{db}} REDIS_URL={{redis}} SMTP_HOST={{smtp}} cargo run -p authd

# Apply the pending migrations to DATABASE_URL (or DB_*), as `authd migrate`.
migrate:
    cargo run -p authd -- migrate

# Run every test of the workspace (starts throw-away PostgreSQL, Redis and SMTP servers; see README).
test:
    cargo test --workspace

# The end-to-end HTTP suite only: over memory and PostgreSQL, and the production setup.
test-api:
    cargo test -p authd --test api

# A long schemathesis run against the OpenAPI document (500 examples per operation, a new seed each
# time): fails on any 5xx, undocumented status, header or body, or accepted invalid request.
fuzz-api examples="500":
    AUTHD_FUZZ_EXAMPLES={{examples}} cargo test -p authd --test api -- openapi::schemathesis --nocapture

# The production-setup tests only: PostgreSQL + Redis + SMTP, three instances, outages.
test-production:
    cargo test -p authd --test api -- production:: multi_instance:: smtp_outage:: redis_outage::

# Format the code.
fmt:
    cargo fmt --all

# Formatting, clippy with warnings as errors, and the dependency rules.
lint: fmt-check clippy domain-deps adapter-deps

fmt-check:
    cargo fmt --all -- --check

clippy:
    cargo clippy --workspace --all-targets -- -D warnings

# The domain must not depend on any I/O library (docs/architecture.md).
domain-deps:
    #!/usr/bin/env bash
    set -euo pipefail
    tree="$(cargo tree -p authd-domain -e normal --prefix none)"
    forbidden="$(grep -E '^(actix[-a-z]*|diesel[-a-z]*|redis|deadpool-redis|lettre|jsonwebtoken|bcrypt) ' <<<"$tree" | sort -u || true)"
    if [ -n "$forbidden" ]; then
        echo "authd-domain depends on I/O libraries it must not use:" >&2
        echo "$forbidden" >&2
        exit 1
    fi
    echo "authd-domain: no actix, diesel, redis, lettre, jsonwebtoken or bcrypt"

# Adapters and port decorators depend on the domain, never on each other: the binary alone picks
# which serves which port (docs/architecture.md). Dev-dependencies (tests) are not counted.
adapter-deps:
    #!/usr/bin/env bash
    set -euo pipefail
    for crate in authd-clock authd-crypto authd-memory authd-postgres authd-redis authd-smtp authd-sms authd-geoip authd-resilience authd-http authd-metrics; do
        others="$(cargo tree -p "$crate" -e normal --prefix none | grep -E '^authd-[a-z]+ ' | grep -vE "^(authd-domain|$crate) " | sort -u || true)"
        if [ -n "$others" ]; then
            echo "$crate depends on other adapters or decorators:" >&2
            echo "$others" >&2
            exit 1
        fi
    done
    echo "adapters and decorators: each depends on authd-domain only"

# Load benchmark of the release build on PostgreSQL + Redis and in memory, about 3.5 minutes on 2
# cores once built; writes target/bench/report.md and report.json (docs/benchmarks.md). `just bench --quick`
# is a smoke test of the harness.
bench *args:
    cargo build --release -p authd -p authd-bench
    "${CARGO_TARGET_DIR:-target}/release/authd-bench" {{args}}
