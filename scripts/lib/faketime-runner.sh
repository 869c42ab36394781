#!/usr/bin/env bash
# Cargo target runner that starts a test binary with the system clock moved by $BPV_FAKETIME
# (libfaketime, e.g. "+3y"); used by scripts/time-travel.sh. Monotonic clocks stay real, so
# timeouts and rate limits behave as usual.
export LD_PRELOAD="/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1${LD_PRELOAD:+:$LD_PRELOAD}"
export FAKETIME="${BPV_FAKETIME:?set BPV_FAKETIME, e.g. +3y}"
export FAKETIME_DONT_FAKE_MONOTONIC=1
exec "$@"
