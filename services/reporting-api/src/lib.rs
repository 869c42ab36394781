//! The results API and dashboard (`bpv-reporting-api`). Not built yet: it is the work of issue #6.
