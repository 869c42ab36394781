//! OTLP export end to end: requests through `observe::requests` become server spans that reach
//! a collector over OTLP/HTTP as protobuf. The collector here is a small HTTP server that keeps
//! what it is sent; its bodies are decoded with the OpenTelemetry protocol's own message types.
//! Its own test binary: the subscriber is global to the process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, test, web};
use bpv_web::observe;
use bpv_web::telemetry::{self, Otlp};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value::Value};
use opentelemetry_proto::tonic::trace::v1::{Span, span::SpanKind, status::StatusCode};
use prost::Message;

/// One request the collector received: path, content type, body.
type Received = (String, String, Vec<u8>);

/// An OTLP/HTTP collector on a free port that answers 200 and keeps every request.
fn collector() -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let keep = Arc::clone(&received);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let keep = Arc::clone(&keep);
            std::thread::spawn(move || {
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                loop {
                    let mut request_line = String::new();
                    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
                        return;
                    }
                    let path = request_line.split_whitespace().nth(1).unwrap_or_default().to_owned();
                    let (mut length, mut content_type) = (0usize, String::new());
                    loop {
                        let mut line = String::new();
                        reader.read_line(&mut line).unwrap();
                        let line = line.trim_end();
                        if line.is_empty() {
                            break;
                        }
                        let (name, value) = line.split_once(':').unwrap();
                        match name.to_ascii_lowercase().as_str() {
                            "content-length" => length = value.trim().parse().unwrap(),
                            "content-type" => value.trim().clone_into(&mut content_type),
                            _ => {}
                        }
                    }
                    let mut body = vec![0; length];
                    reader.read_exact(&mut body).unwrap();
                    keep.lock().unwrap().push((path, content_type, body));
                    writer.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").unwrap();
                }
            });
        }
    });
    (url, received)
}

fn text(value: Option<&AnyValue>) -> Option<String> {
    match value?.value.as_ref()? {
        Value::StringValue(s) => Some(s.clone()),
        Value::IntValue(i) => Some(i.to_string()),
        other => Some(format!("{other:?}")),
    }
}

fn attribute(attributes: &[KeyValue], key: &str) -> Option<String> {
    attributes.iter().find(|kv| kv.key == key).and_then(|kv| text(kv.value.as_ref()))
}

#[actix_web::test]
async fn requests_reach_the_collector_as_server_spans() {
    let (url, received) = collector();
    assert!(!telemetry::exporting(), "nothing exports before init");
    let guard = telemetry::init_with("bpv-proef", "info", &Otlp::To(format!("{url}/v1/traces")));
    assert!(telemetry::exporting());
    let app = test::init_service(
        App::new()
            .wrap(from_fn(observe::requests))
            .service(web::resource("/v1/bpvos/{id}").route(web::get().to(|| async { HttpResponse::Ok().finish() })))
            .route("/stuk", web::post().to(|| async { HttpResponse::InternalServerError().finish() })),
    )
    .await;
    let req = test::TestRequest::get().uri("/v1/bpvos/abc-1").insert_header(("X-Request-Id", "otlp-proef-1"));
    assert_eq!(test::call_service(&app, req.to_request()).await.status(), 200);
    let req = test::TestRequest::post().uri("/stuk");
    assert_eq!(test::call_service(&app, req.to_request()).await.status(), 500);
    guard.flush();

    let received = received.lock().unwrap().clone();
    assert!(!received.is_empty(), "the collector received nothing");
    let mut spans: Vec<Span> = Vec::new();
    for (path, content_type, body) in &received {
        assert_eq!(path, "/v1/traces");
        assert_eq!(content_type, "application/x-protobuf");
        let export = ExportTraceServiceRequest::decode(body.as_slice()).expect("an OTLP protobuf body");
        for resource_spans in export.resource_spans {
            let resource = resource_spans.resource.expect("a resource");
            assert_eq!(attribute(&resource.attributes, "service.name").as_deref(), Some("bpv-proef"));
            spans.extend(resource_spans.scope_spans.into_iter().flat_map(|s| s.spans));
        }
    }
    let named = |name: &str| {
        spans
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no span {name:?}; got {:?}", spans.iter().map(|s| &s.name).collect::<Vec<_>>()))
    };
    let ok = named("GET /v1/bpvos/{id}");
    assert_eq!(ok.kind, SpanKind::Server as i32);
    assert_eq!(attribute(&ok.attributes, "http.route").as_deref(), Some("/v1/bpvos/{id}"));
    assert_eq!(attribute(&ok.attributes, "http.request.method").as_deref(), Some("GET"));
    assert_eq!(attribute(&ok.attributes, "http.response.status_code").as_deref(), Some("200"));
    assert_eq!(attribute(&ok.attributes, "id").as_deref(), Some("otlp-proef-1"), "the request id is on the span");
    assert_ne!(ok.status.as_ref().map(|s| s.code), Some(StatusCode::Error as i32));
    let failed = named("POST /stuk");
    assert_eq!(attribute(&failed.attributes, "http.response.status_code").as_deref(), Some("500"));
    assert_eq!(failed.status.as_ref().map(|s| s.code), Some(StatusCode::Error as i32), "a 5xx marks the span failed");
    drop(guard);
    assert!(!telemetry::exporting(), "the guard stops the export");
}
