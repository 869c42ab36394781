//! The respondent questionnaire (`bpv-survey`). Not built yet: it is the work of issue #5.
