//! The respondent side: `GET /s/{token}` shows the questionnaire for that invitation (server-rendered,
//! no JavaScript, Dutch, accessible), `POST` stores one answer with its analysis keys and thanks
//! the respondent with their grade beside the national average; `/afmelden/{token}` stops
//! reminders (also the one-click `List-Unsubscribe-Post` target). `/b/{token}` is the
//! Praktijkloket's assessment by the praktijkopleider (`beoordeling`). A library so that tests and
//! `bpv demo` start the code the binary runs.

mod app;
mod beoordeling;
mod pages;
mod state;
mod views;

pub use app::Application;
