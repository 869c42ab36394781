//! The cron mail dispatcher (`bpv-dispatcher`). Not built yet: it is the work of issue #4.
