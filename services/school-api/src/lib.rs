//! The school-facing API and manual upload page (`bpv-school-api`). Not built yet: it is the work of issue #3.
